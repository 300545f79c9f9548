import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cfnLint, installCfnLint } from '../../scripts/lib/cfn-lint';

// In the localstack project: it needs Python (and PyPI on the first run), as LocalStack does.
describe('cfn-lint (pinned, .local/cfn-lint/venv)', () => {
  test('reports an invalid template as an error, and skips the rules .cfnlintrc lists', async () => {
    // GIVEN cfn-lint installed, a template with an invalid property, and one with only a W3005
    const bin = installCfnLint();
    const dir = await mkdtemp(join(tmpdir(), 'cfn-lint-'));
    try {
      const bad = join(dir, 'bad.template.json');
      await writeFile(
        bad,
        JSON.stringify({
          Resources: {
            Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'forever' } },
          },
        }),
      );
      const redundant = join(dir, 'redundant.template.json');
      await writeFile(
        redundant,
        JSON.stringify({
          Resources: {
            Role: {
              Type: 'AWS::IAM::Role',
              Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } },
            },
            Topic: {
              Type: 'AWS::SNS::Topic',
              DependsOn: ['Role'],
              Properties: { DisplayName: { 'Fn::GetAtt': ['Role', 'Arn'] } },
            },
          },
        }),
      );
      // WHEN it lints them; THEN the invalid property is an error, the redundant DependsOn is not reported
      const findings = await cfnLint(bin, [bad, redundant]);
      expect(findings.filter((f) => f.file === bad && f.level === 'Error').map((f) => f.path)).toContain(
        'Resources/Queue/Properties/MessageRetentionPeriod',
      );
      expect(findings.filter((f) => f.rule === 'W3005')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
