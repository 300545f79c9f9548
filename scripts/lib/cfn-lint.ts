/**
 * cfn-lint (PyPI) for the synthesized templates: a pinned install in `.local/cfn-lint/venv` (the
 * interpreter found as LocalStack's is), every synthesized variant of the app, and the findings
 * read from its JSON output. The rules it skips, each with its reason, are in `.cfnlintrc`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPython } from '../../localstack/host/python';
import { LOCAL_DIR, REPO_ROOT } from './local';

/** The cfn-lint release installed (its resource specification is the one it ships). */
export const CFN_LINT_VERSION = '1.58.0';

/** The virtual environment cfn-lint is installed in. */
export const CFN_LINT_VENV = join(LOCAL_DIR, 'cfn-lint', 'venv');

/** One synthesized variant of the CDK app: its `-c` context. */
export interface SynthVariant {
  readonly name: string;
  readonly context: readonly string[];
}

/**
 * Every variant the app synthesizes, as the README deploys them. Another variant of the app (the
 * self-managed Kafka one, for instance) joins by adding its `-c` context here: `npm run lint:cfn`
 * and `npm run preflight` both read this list.
 *
 * @example
 * ```ts
 * for (const variant of SYNTH_VARIANTS) synth(variant, join(out, variant.name));
 * ```
 */
export const SYNTH_VARIANTS: readonly SynthVariant[] = [
  { name: 'default', context: [] },
  { name: 'msk', context: ['clusterArn=arn:aws:kafka:eu-north-1:123456789012:cluster/demo/abc'] },
  { name: 'demo', context: ['demo=true'] },
  // As localstack/lib/deploy.ts deploys it (cdklocal adds endpoints, not template changes).
  { name: 'localstack', context: ['target=localstack'] },
  // Self-managed Kafka with SASL/SCRAM in a VPC and a Kafka dead-letter topic.
  {
    name: 'self-managed',
    context: [
      'bootstrapServers=b-1.kafka.internal:9096,b-2.kafka.internal:9096',
      'kafkaAuth=SASL_SCRAM_512',
      'kafkaSecretArn=arn:aws:secretsmanager:eu-north-1:123456789012:secret:kafka-scram-AbCdEf',
      'clusterSubnetIds=subnet-0a1b2c3d4e5f60718',
      'clusterSecurityGroupIds=sg-0123456789abcdef0',
      'onFailureTopic=huleedu.dlt',
    ],
  },
];

/**
 * Installs cfn-lint when the venv lacks this version; returns the path of its executable.
 *
 * @example
 * ```ts
 * const cfnLint = installCfnLint((line) => console.error(line));
 * ```
 */
export function installCfnLint(log: (line: string) => void = () => {}): string {
  const bin = join(CFN_LINT_VENV, 'bin', 'cfn-lint');
  const stamp = join(CFN_LINT_VENV, '.cfn-lint-version');
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === CFN_LINT_VERSION)
    return bin;
  const python = findPython().executable;
  log(
    `Installing cfn-lint ${CFN_LINT_VERSION} into ${CFN_LINT_VENV.replace(`${REPO_ROOT}/`, '')} (Python ${python}).`,
  );
  rmSync(CFN_LINT_VENV, { recursive: true, force: true });
  mkdirSync(join(LOCAL_DIR, 'cfn-lint'), { recursive: true });
  run(python, ['-m', 'venv', CFN_LINT_VENV]);
  run(join(CFN_LINT_VENV, 'bin', 'python'), [
    '-m',
    'pip',
    'install',
    '--no-input',
    '--progress-bar',
    'off',
    `cfn-lint==${CFN_LINT_VERSION}`,
  ]);
  writeFileSync(stamp, `${CFN_LINT_VERSION}\n`);
  return bin;
}

function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 10 * 60_000,
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}):\n${output}`,
    );
  }
}

/**
 * Synthesizes one variant into `outDir` (offline, cdk-nag included: a nag error fails it);
 * returns the paths of its templates.
 *
 * @example
 * ```ts
 * const templates = await synthVariant(SYNTH_VARIANTS[0], '.local/cfn-lint/default');
 * ```
 */
export async function synthVariant(variant: SynthVariant, outDir: string): Promise<string[]> {
  rmSync(outDir, { recursive: true, force: true });
  const args = [
    '--no-install',
    'cdk',
    'synth',
    '--quiet',
    '-o',
    outDir,
    ...variant.context.flatMap((c) => ['-c', c]),
  ];
  const { code, output, errors } = await exec('npx', args);
  if (code !== 0) {
    throw new Error(
      `cdk synth of the ${variant.name} variant failed (exit code ${code}):\n${`${output}${errors}`.trim()}`,
    );
  }
  return readdirSync(outDir)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => join(outDir, name));
}

/** One finding of cfn-lint. */
export interface CfnLintFinding {
  readonly rule: string;
  readonly level: 'Error' | 'Warning' | 'Informational';
  readonly message: string;
  readonly file: string;
  /** The resource path (`Resources/Name/Properties/...`). */
  readonly path: string;
}

/**
 * Runs cfn-lint on templates (with the project's `.cfnlintrc`) and returns its findings.
 *
 * @example
 * ```ts
 * const errors = (await cfnLint(bin, templates)).filter((f) => f.level === 'Error');
 * ```
 */
export async function cfnLint(bin: string, templates: readonly string[]): Promise<CfnLintFinding[]> {
  if (templates.length === 0) return [];
  const { code, output, errors } = await exec(bin, ['--format', 'json', '--', ...templates]);
  // Exit code: a bit mask (2 errors, 4 warnings, 8 informational); 1 or more than 14 is a crash.
  if (code === null || code === 1 || code > 14) {
    throw new Error(`cfn-lint failed (exit code ${code}):\n${`${errors}${output}`.slice(0, 4000)}`);
  }
  const raw = JSON.parse(output || '[]') as {
    Rule: { Id: string };
    Level: CfnLintFinding['level'];
    Message: string;
    Filename: string;
    Location: { Path?: (string | number)[] | null };
  }[];
  return raw.map((f) => ({
    rule: f.Rule.Id,
    level: f.Level,
    message: f.Message,
    file: f.Filename,
    path: (f.Location.Path ?? []).join('/'),
  }));
}

function exec(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; output: string; errors: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, errors }));
  });
}
