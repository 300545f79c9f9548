/**
 * Reads configuration from environment variables, failing at cold start with the variable's name.
 */

import { type IntegerBounds, integerRange, isIntegerWithin } from './options';

/** Bounds of {@link envInteger}, both inclusive. */
export type { IntegerBounds } from './options';

/**
 * Returns a required environment variable, or throws `Environment variable X is required`.
 *
 * @example
 * ```ts
 * const tableName = requireEnv(ENV.IDEMPOTENCY_TABLE_NAME);
 * ```
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(
      `Environment variable ${name} is required; set it in the function's configuration (infra/) or your shell.`,
    );
  }
  return value;
}

/**
 * Returns an optional environment variable, `undefined` when unset or empty.
 *
 * @example
 * ```ts
 * const endpoint = optionalEnv(ENV.DYNAMODB_ENDPOINT);
 * ```
 */
export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Parses a boolean environment variable: `true`/`false` (also `1`/`0`), else the default; anything
 * else throws naming the variable and the value.
 *
 * @example
 * ```ts
 * const partial = envBoolean(ENV.PARTIAL_BATCH_RESPONSE, false);
 * ```
 */
export function envBoolean(name: string, fallback: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = optionalEnv(name, env);
  if (value === undefined) return fallback;
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true' || normalized === '1') return true;
  if (normalized === 'false' || normalized === '0') return false;
  throw new Error(`Environment variable ${name} must be true or false, got ${JSON.stringify(value)}.`);
}

/**
 * Parses one of a fixed set of string values, else the default; anything else throws.
 *
 * @example
 * ```ts
 * const mode = envChoice(ENV.FAILURE_MODE, ['fail-closed', 'fail-open'] as const, 'fail-closed');
 * ```
 */
export function envChoice<T extends string>(
  name: string,
  choices: readonly T[],
  fallback: T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const value = optionalEnv(name, env);
  if (value === undefined) return fallback;
  const match = choices.find((c) => c === value.trim());
  if (match === undefined) {
    throw new Error(
      `Environment variable ${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}.`,
    );
  }
  return match;
}

/**
 * Parses an optional integer environment variable: `undefined` when unset or empty, else a base-10
 * integer within `bounds`. Anything else (`1e3`, `10ms`, `-1`, `1.5`) throws naming the variable,
 * the value and the range, so a typo fails the cold start instead of silently using a default.
 *
 * @example
 * ```ts
 * const margin = envInteger(ENV.LEASE_MARGIN_MS, { min: 0, max: 900_000 }); // undefined or a number
 * ```
 */
export function envInteger(
  name: string,
  bounds: IntegerBounds,
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  const value = optionalEnv(name, env);
  if (value === undefined) return undefined;
  const text = value.trim();
  const parsed = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!isIntegerWithin(parsed, bounds)) {
    throw new Error(
      `Environment variable ${name} must be ${integerRange(bounds)}, got ${JSON.stringify(value)}.`,
    );
  }
  return parsed;
}
