import { type Duration, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Throws an `Error` that names the construct, the prop and the value at fault.
 *
 * @example
 * ```ts
 * fail(this, `batchSize must be between 1 and 10000, got ${batchSize}`);
 * ```
 */
export function fail(scope: IConstruct, message: string): never {
  throw new Error(`${scope.node.path}: ${message}`);
}

/**
 * Checks that a number is an integer within `[min, max]`. Unresolved tokens and `undefined`
 * are skipped: CloudFormation validates them at deploy time.
 *
 * @example
 * ```ts
 * checkIntegerRange(this, 'batchSize', props.batchSize, 1, 10_000);
 * ```
 */
export function checkIntegerRange(
  scope: IConstruct,
  name: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, `${name} must be an integer between ${min} and ${max}, got ${value}`);
  }
}

/**
 * Checks that a duration lies within `[min, max]` (inclusive, compared in milliseconds).
 * Durations built from unresolved tokens and `undefined` are skipped.
 *
 * @example
 * ```ts
 * checkDurationRange(this, 'timeout', props.timeout, Duration.seconds(1), Duration.minutes(14));
 * ```
 */
export function checkDurationRange(
  scope: IConstruct,
  name: string,
  value: Duration | undefined,
  min: Duration,
  max: Duration,
): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds();
  if (ms < min.toMilliseconds() || ms > max.toMilliseconds()) {
    fail(
      scope,
      `${name} must be between ${min.toHumanString()} and ${max.toHumanString()}, got ${value.toHumanString()}`,
    );
  }
}

/**
 * Checks a string against a pattern and a length range; unresolved tokens are skipped.
 *
 * @example
 * ```ts
 * checkPattern(this, 'topic', topic, /^[a-zA-Z0-9._-]+$/, 1, 249, 'letters, digits, ".", "_" and "-"');
 * ```
 */
export function checkPattern(
  scope: IConstruct,
  name: string,
  value: string,
  pattern: RegExp,
  minLength: number,
  maxLength: number,
  allowed: string,
): void {
  if (Token.isUnresolved(value)) return;
  if (value.length < minLength || value.length > maxLength) {
    fail(
      scope,
      `${name} must be ${minLength} to ${maxLength} characters long, got ${value.length} ("${value}")`,
    );
  }
  if (!pattern.test(value)) {
    fail(scope, `${name} may contain only ${allowed}, got "${value}"`);
  }
}
