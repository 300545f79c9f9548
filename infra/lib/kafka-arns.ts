import { Fn, Token } from 'aws-cdk-lib';

/**
 * The shape of an MSK cluster ARN: `arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>`.
 * Provisioned and serverless clusters share it.
 *
 * @example
 * ```ts
 * MSK_CLUSTER_ARN_PATTERN.test('arn:aws:kafka:eu-west-1:123456789012:cluster/demo/uuid-1'); // true
 * ```
 */
export const MSK_CLUSTER_ARN_PATTERN = /^arn:aws[a-zA-Z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;

/** The part of a cluster ARN that every data-plane ARN of that cluster repeats. */
const CLUSTER_SEGMENT = ':cluster/';

/**
 * Throws a `TypeError` unless `clusterArn` is an MSK cluster ARN. Unresolved tokens pass: their
 * value is known only at deploy time.
 *
 * @example
 * ```ts
 * assertClusterArn('arn:aws:kafka:eu-west-1:123456789012:cluster/demo/7f9e1c2a-0b1d-4c3e-9f00-1234567890ab-s1');
 * ```
 */
export function assertClusterArn(clusterArn: string): void {
  if (!isClusterArn(clusterArn)) throw new TypeError(clusterArnMessage(clusterArn));
}

/**
 * Whether `clusterArn` is an MSK cluster ARN, or an unresolved token (known only at deploy time).
 *
 * @example
 * ```ts
 * isClusterArn('arn:aws:kafka:eu-west-1:123456789012:topic/demo/uuid-1/t'); // false
 * ```
 */
export function isClusterArn(clusterArn: string): boolean {
  return Token.isUnresolved(clusterArn) || MSK_CLUSTER_ARN_PATTERN.test(clusterArn);
}

/**
 * What a cluster ARN must look like, and the value received.
 *
 * @example
 * ```ts
 * if (!isClusterArn(arn)) throw new TypeError(clusterArnMessage(arn));
 * ```
 */
export function clusterArnMessage(clusterArn: string): string {
  return `clusterArn must look like arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>, got "${clusterArn}"`;
}

/**
 * Derives the ARN of a cluster's data-plane resource (`topic` or `group`) from the cluster ARN:
 * `arn:aws:kafka:r:a:cluster/name/uuid` becomes `arn:aws:kafka:r:a:<kind>/name/uuid/<resourceName>`.
 *
 * Works on tokens too (an imported or freshly created cluster's ARN): the ARN is split on
 * `:cluster/` with `Fn::Split`/`Fn::Select`, which CloudFormation resolves at deploy time. On a
 * literal ARN the same functions resolve at synth time and return a plain string.
 *
 * @example
 * ```ts
 * kafkaResourceArn(clusterArn, 'topic', 'huleedu.essay.spellcheck.requested.v1');
 * // arn:aws:kafka:eu-west-1:123456789012:topic/demo/7f9e…-s1/huleedu.essay.spellcheck.requested.v1
 * ```
 */
export function kafkaResourceArn(clusterArn: string, kind: 'topic' | 'group', resourceName: string): string {
  assertClusterArn(clusterArn);
  if (!Token.isUnresolved(clusterArn)) {
    return `${clusterArn.replace(CLUSTER_SEGMENT, `:${kind}/`)}/${resourceName}`;
  }
  const parts = Fn.split(CLUSTER_SEGMENT, clusterArn);
  return Fn.join('', [Fn.select(0, parts), `:${kind}/`, Fn.select(1, parts), `/${resourceName}`]);
}
