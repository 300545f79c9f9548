import { type Duration, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * One rule of a construct's props, in the shape of aws-cdk's own (`aws-sqs/lib/validate-queue-props.ts`):
 * `condition` is true when the props break the rule, and `message` then says what is allowed and
 * what was received. A rule skips what it cannot judge at synth time (`undefined`, unresolved tokens).
 *
 * @example
 * ```ts
 * const rule: ValidationRule<{ batchSize?: number }> = integerRule('batchSize', (p) => p.batchSize, 1, 10_000);
 * ```
 */
export interface ValidationRule<T> {
  /** True when `props` break the rule. */
  readonly condition: (props: T) => boolean;
  /** What is allowed, and the value received. */
  readonly message: (props: T) => string;
}

/**
 * Applies every rule to `props` and throws one `Error` that names the construct, what was given
 * (`subject`: a class or a method) and each rule broken (as CDK's `validateAllProps` does), so a
 * user fixes them all in one go.
 *
 * @example
 * ```ts
 * validateProps(this, 'DeadLetterQueue', props, DEAD_LETTER_QUEUE_RULES);
 * ```
 */
export function validateProps<T>(
  scope: IConstruct,
  subject: string,
  props: T,
  rules: readonly ValidationRule<T>[],
): void {
  const broken = rules.filter((rule) => rule.condition(props)).map((rule) => rule.message(props));
  if (broken.length > 0) {
    throw new Error(
      `${scope.node.path}: invalid props of ${subject}:\n${broken.map((message) => `- ${message}`).join('\n')}`,
    );
  }
}

/**
 * An integer within `[min, max]`.
 *
 * @example
 * ```ts
 * integerRule('memorySize', (p: { memorySize?: number }) => p.memorySize, 128, 10_240);
 * ```
 */
export function integerRule<T>(
  name: string,
  value: (props: T) => number | undefined,
  min: number,
  max: number,
): ValidationRule<T> {
  return {
    condition: (props) => {
      const v = value(props);
      return v !== undefined && !Token.isUnresolved(v) && (!Number.isInteger(v) || v < min || v > max);
    },
    message: (props) => `${name} must be an integer between ${min} and ${max}, got ${value(props)}`,
  };
}

/**
 * A duration within `[min, max]` (inclusive, compared in milliseconds).
 *
 * @example
 * ```ts
 * durationRule('timeout', (p: { timeout?: Duration }) => p.timeout, Duration.seconds(1), Duration.minutes(14));
 * ```
 */
export function durationRule<T>(
  name: string,
  value: (props: T) => Duration | undefined,
  min: Duration,
  max: Duration,
): ValidationRule<T> {
  return {
    condition: (props) => {
      const v = value(props);
      if (v === undefined || v.isUnresolved()) return false;
      return v.toMilliseconds() < min.toMilliseconds() || v.toMilliseconds() > max.toMilliseconds();
    },
    message: (props) =>
      `${name} must be between ${min.toHumanString()} and ${max.toHumanString()}, got ${value(props)?.toHumanString()}`,
  };
}

/**
 * Every string of a list passes `test`; the message states the `requirement` and shows the first that does not. An absent
 * list and unresolved tokens (a whole list, or one of its items) are skipped.
 *
 * @example
 * ```ts
 * eachRule('topics[]', (p: { topics: string[] }) => p.topics, (t) => /^[a-z.]+$/.test(t), 'must be lowercase letters and "."');
 * ```
 */
export function eachRule<T>(
  name: string,
  values: (props: T) => readonly string[] | undefined,
  test: (value: string) => boolean,
  requirement: string,
): ValidationRule<T> {
  const firstBad = (props: T) => {
    const list = values(props);
    if (list === undefined || Token.isUnresolved(list)) return undefined;
    return list.find((v) => !Token.isUnresolved(v) && !test(v));
  };
  return {
    condition: (props) => firstBad(props) !== undefined,
    message: (props) => `${name} ${requirement}, got ${JSON.stringify(firstBad(props))}`,
  };
}

/**
 * A list with at least one item (an absent or unresolved list is skipped).
 *
 * @example
 * ```ts
 * nonEmptyRule('topics', (p: { topics: string[] }) => p.topics, 'topic');
 * ```
 */
export function nonEmptyRule<T>(
  name: string,
  values: (props: T) => readonly unknown[] | undefined,
  what: string,
): ValidationRule<T> {
  return {
    condition: (props) => {
      const list = values(props);
      return list !== undefined && !Token.isUnresolved(list) && list.length === 0;
    },
    message: () => `${name} must name at least one ${what}, got []`,
  };
}
