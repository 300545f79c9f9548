/**
 * `npm run lint:cfn`: cfn-lint (pinned, installed into `.local/cfn-lint/venv` on first use) on the
 * templates of every synthesized variant of the app. Fails on any error, and on any warning not
 * reviewed in `.cfnlintrc` (where each skipped rule says why).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type CfnLintFinding, cfnLint, installCfnLint, SYNTH_VARIANTS, synthVariant } from './lib/cfn-lint';
import { runMain, usageErrors } from './lib/cli';
import { LOCAL_DIR } from './lib/local';

/**
 * The `--help` text of `npm run lint:cfn`.
 *
 * @example
 * ```ts
 * process.stdout.write(LINT_CFN_USAGE);
 * ```
 */
export const LINT_CFN_USAGE = `Usage: npm run lint:cfn -- [--variant <name>]

Synthesizes every variant of the app (${SYNTH_VARIANTS.map((v) => v.name).join(', ')}) offline, with cdk-nag, into
.local/cfn-lint/out/<variant>/, and runs cfn-lint on each template. cfn-lint is installed on first
use into .local/cfn-lint/venv (pinned; Python 3.13+, found as for LocalStack).
Exit code 1 on any error or any warning that .cfnlintrc does not list with a reason.
  --variant <name>   only that variant
`;

/**
 * Runs `npm run lint:cfn`; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runLintCfn([]);
 * ```
 */
export async function runLintCfn(argv: readonly string[]): Promise<number> {
  const { values } = usageErrors(() =>
    parseArgs({
      args: [...argv],
      strict: true,
      options: { variant: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  if (values.help) {
    process.stdout.write(LINT_CFN_USAGE);
    return 0;
  }
  const variants = SYNTH_VARIANTS.filter((v) => values.variant === undefined || v.name === values.variant);
  if (variants.length === 0) {
    process.stderr.write(
      `No variant ${JSON.stringify(values.variant)}: ${SYNTH_VARIANTS.map((v) => v.name).join(', ')}.\n`,
    );
    return 2;
  }
  const bin = installCfnLint((line) => process.stderr.write(`${line}\n`));
  let failed = false;
  for (const variant of variants) {
    const started = Date.now();
    const templates = await synthVariant(variant, join(LOCAL_DIR, 'cfn-lint', 'out', variant.name));
    const findings = await cfnLint(bin, templates);
    const blocking = findings.filter((f) => f.level !== 'Informational');
    failed ||= blocking.length > 0;
    const context = variant.context.length > 0 ? ` (-c ${variant.context.join(' -c ')})` : '';
    process.stdout.write(
      `${blocking.length === 0 ? 'ok  ' : 'FAIL'} ${variant.name}${context}: ${templates.length} template${templates.length === 1 ? '' : 's'}, ${countOf(findings, 'Error')} errors, ${countOf(findings, 'Warning')} warnings, ${countOf(findings, 'Informational')} informational (${Math.round((Date.now() - started) / 1000)} s)\n`,
    );
    for (const f of findings) process.stdout.write(`     ${f.level} ${f.rule} ${f.path}: ${f.message}\n`);
  }
  if (failed) {
    process.stdout.write(
      "\nFix the template (infra/), or, for a warning that is CDK's doing, add its rule to .cfnlintrc with the reason.\n",
    );
  }
  return failed ? 1 : 0;
}

function countOf(findings: readonly CfnLintFinding[], level: CfnLintFinding['level']): number {
  return findings.filter((f) => f.level === level).length;
}

if (require.main === module) runMain(() => runLintCfn(process.argv.slice(2)), 'npm run lint:cfn -- --help');
