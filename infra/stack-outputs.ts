/**
 * Names shared by the stacks and the LocalStack scripts: the scripts read the deployed stack's
 * outputs by these keys, so the two cannot drift apart. Plain constants, no CDK imports, so the
 * scripts load fast.
 */

/**
 * Stack names (and construct ids) of the app. Never rename a deployed one.
 *
 * @example
 * ```ts
 * new EffectivelyOnceStack(app, STACK_NAMES.main, { … });
 * ```
 */
export const STACK_NAMES = {
  /** The consumers against Amazon MSK. */
  main: 'KafkaEffectivelyOnce',
  /** The LocalStack variant: same constructs, no Kafka trigger. */
  localstack: 'KafkaEffectivelyOnceLocal',
  /** The optional demo VPC and MSK Serverless cluster (`-c demo=true`). */
  demoCluster: 'KafkaEffectivelyOnceDemoCluster',
} as const;

/**
 * Output keys of the main and LocalStack stacks.
 *
 * @example
 * ```ts
 * outputs[STACK_OUTPUTS.idempotencyTableName];
 * ```
 */
export const STACK_OUTPUTS = {
  idempotencyTableName: 'IdempotencyTableName',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  dashboardName: 'DashboardName',
} as const;

/**
 * Output key of a consumer's function name: `essay-lifecycle` → `EssayLifecycleFunctionName`.
 *
 * @example
 * ```ts
 * functionNameOutputKey('spellchecker'); // 'SpellcheckerFunctionName'
 * ```
 */
export function functionNameOutputKey(consumer: string): string {
  const pascal = consumer
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  if (pascal === '') throw new TypeError(`consumer must contain letters or digits, got "${consumer}"`);
  return `${pascal}FunctionName`;
}
