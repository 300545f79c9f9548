/**
 * The rules of the consumer's props, as tables in the shape of aws-cdk's
 * `aws-sqs/lib/validate-queue-props.ts`: each message gives what is allowed and the value received,
 * and unresolved tokens are skipped. Only what aws-cdk-lib does not check itself is here: the event
 * source mapping already rejects a `retryAttempts` outside -1..10000, a `maxRecordAge` outside 60 s..7
 * days, a `maxBatchingWindow` over 300 s, windows and ages in fractions of a second, pollers outside
 * 1..200 / 1..2000 or inverted, and a consumer group id that is not 1 to 200 of Lambda's characters;
 * `NodejsFunction` rejects a runtime that is not Node.js; `NodejsFunction` also rejects a missing entry.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { ENV, type TableAction } from '../../shared/internal';
import type { ConsumerAlarmsOptions, OffsetLagAlarmProps } from '../constructs/consumer-alarms';
import type { IdempotentKafkaConsumerProps, MskTriggerProps } from '../constructs/idempotent-kafka-consumer';
import { clusterArnMessage, isClusterArn } from './kafka-arns';
import { durationRule, eachRule, integerRule, nonEmptyRule, type ValidationRule } from './validate';

/**
 * The DynamoDB data actions a consumer may be granted on its own tables, each with whether it only
 * reads (a table's customer-managed key is then only decrypted). The items of a `TransactWriteItems`
 * are authorized one by one, each with the action of the single-item operation it stands for, so a
 * transaction needs no action of its own.
 *
 * @example
 * ```ts
 * const readOnly = actions.every((action) => TABLE_ACTION_READS[action]);
 * ```
 */
export const TABLE_ACTION_READS: Readonly<Record<TableAction, boolean>> = {
  'dynamodb:GetItem': true,
  'dynamodb:BatchGetItem': true,
  'dynamodb:Query': true,
  'dynamodb:Scan': true,
  'dynamodb:ConditionCheckItem': true,
  'dynamodb:PutItem': false,
  'dynamodb:UpdateItem': false,
  'dynamodb:DeleteItem': false,
  'dynamodb:BatchWriteItem': false,
};

/**
 * Environment variables the construct sets itself: neither `environment` nor a manifest table may
 * take one of them.
 *
 * @example
 * ```ts
 * RESERVED_ENVIRONMENT.includes(ENV.SERVICE_NAME); // true
 * ```
 */
export const RESERVED_ENVIRONMENT: readonly string[] = [
  ENV.IDEMPOTENCY_TABLE_NAME,
  ENV.SERVICE_NAME,
  ENV.METRICS_NAMESPACE,
  ENV.DEAD_LETTER_QUEUE_URL,
  ENV.DEAD_LETTER_SPILL_BUCKET,
  ENV.PARTIAL_BATCH_RESPONSE,
  ENV.FAILURE_MODE,
  'NODE_OPTIONS',
];

/** Lambda's limit on the timeout of a function behind a Kafka event source mapping. */
const MAX_KAFKA_TIMEOUT = Duration.minutes(14);

/** The oldest Node.js major version this template's handlers support on Lambda. */
const MIN_NODE_MAJOR = 22;

const DATA_ACTIONS = Object.keys(TABLE_ACTION_READS);

/** Kafka topic names: 1-249 of letters, digits, `.`, `_` and `-`. */
const TOPIC_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

/** EC2 ids as the EC2 API returns them. */
const SUBNET_ID_PATTERN = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID_PATTERN = /^sg-[0-9a-f]{8,17}$/;

const list = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : 'none');

const manifestTables = (props: IdempotentKafkaConsumerProps) => Object.keys(props.manifest.tables);
const givenTables = (props: IdempotentKafkaConsumerProps) => Object.keys(props.tables ?? {});
const extraEnvironment = (props: IdempotentKafkaConsumerProps) => Object.keys(props.environment ?? {});

const unknownTable = (p: IdempotentKafkaConsumerProps) =>
  givenTables(p).find((key) => !manifestTables(p).includes(key));
const missingTable = (p: IdempotentKafkaConsumerProps) =>
  manifestTables(p).find((key) => !givenTables(p).includes(key));
const reservedTableVariable = (p: IdempotentKafkaConsumerProps) =>
  manifestTables(p).find((key) => RESERVED_ENVIRONMENT.includes(key));
const reservedVariable = (p: IdempotentKafkaConsumerProps) =>
  extraEnvironment(p).find((key) => RESERVED_ENVIRONMENT.includes(key));
const tableVariable = (p: IdempotentKafkaConsumerProps) =>
  extraEnvironment(p).find((key) => manifestTables(p).includes(key));
const foreignAction = (p: IdempotentKafkaConsumerProps) => {
  for (const [name, table] of Object.entries(p.manifest.tables)) {
    const action = table.actions.find((a) => !DATA_ACTIONS.includes(a));
    if (action !== undefined) return { name, action };
  }
  return undefined;
};

/**
 * The rules of an `IdempotentKafkaConsumer`'s own props (the manifest itself is checked by
 * `validateManifest`, the alarm thresholds by {@link CONSUMER_ALARMS_RULES}).
 *
 * @example
 * ```ts
 * validateProps(this, 'IdempotentKafkaConsumer', props, CONSUMER_RULES);
 * ```
 */
export const CONSUMER_RULES: readonly ValidationRule<IdempotentKafkaConsumerProps>[] = [
  integerRule('memorySize', (p) => p.memorySize, 128, 10_240),
  durationRule('timeout', (p) => p.timeout, Duration.seconds(1), MAX_KAFKA_TIMEOUT),
  {
    condition: ({ runtime }) => {
      const major = runtime && /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
      return runtime !== undefined && (major === undefined || Number(major) < MIN_NODE_MAJOR);
    },
    message: ({ runtime }) => `runtime must be Node.js ${MIN_NODE_MAJOR} or newer, got ${runtime?.name}`,
  },
  integerRule(
    'reservedConcurrentExecutions',
    (p) => p.reservedConcurrentExecutions,
    1,
    Number.MAX_SAFE_INTEGER,
  ),
  {
    condition: (p) => unknownTable(p) !== undefined,
    message: (p) =>
      `tables must be keyed by the table variables of the manifest of "${p.manifest.service}" (${list(manifestTables(p))}), ` +
      `got ${unknownTable(p)}: add it to the manifest's tables with its actions, or leave it out`,
  },
  {
    condition: (p) => missingTable(p) !== undefined,
    message: (p) =>
      `tables must give a table for every table variable of the manifest of "${p.manifest.service}" (${list(manifestTables(p))}), ` +
      `got none for ${missingTable(p)}`,
  },
  {
    condition: (p) => reservedTableVariable(p) !== undefined,
    message: (p) =>
      `manifest.tables must not use a variable the construct sets (${list(RESERVED_ENVIRONMENT)}), got ${reservedTableVariable(p)}`,
  },
  {
    condition: (p) => foreignAction(p) !== undefined,
    message: (p) =>
      `manifest.tables.${foreignAction(p)?.name}.actions may contain only DynamoDB data actions (${DATA_ACTIONS.join(', ')}), ` +
      `got "${foreignAction(p)?.action}"`,
  },
  {
    condition: (p) => reservedVariable(p) !== undefined,
    message: (p) =>
      `environment must not set ${reservedVariable(p)}: the construct sets it from its props (it sets ${list(RESERVED_ENVIRONMENT)})`,
  },
  {
    condition: (p) => tableVariable(p) !== undefined,
    message: (p) =>
      `environment must not set ${tableVariable(p)}: it is a table variable of the manifest; pass the table in tables, ` +
      'which sets the variable and grants the table together',
  },
];

/**
 * The rules of the alarm thresholds, shared by `ConsumerAlarms` and the consumer (which checks them
 * before it creates anything).
 *
 * @example
 * ```ts
 * validateProps(this, 'ConsumerAlarms', props, CONSUMER_ALARMS_RULES);
 * ```
 */
export const CONSUMER_ALARMS_RULES: readonly ValidationRule<ConsumerAlarmsOptions>[] = [
  integerRule('errorsAlarmThreshold', (p) => p.errorsAlarmThreshold, 1, Number.MAX_SAFE_INTEGER),
  integerRule('throttlesAlarmThreshold', (p) => p.throttlesAlarmThreshold, 1, Number.MAX_SAFE_INTEGER),
  integerRule('deadLetteredAlarmThreshold', (p) => p.deadLetteredAlarmThreshold, 1, Number.MAX_SAFE_INTEGER),
];

/**
 * The offset-lag alarm's threshold: `ConsumerAlarms.addOffsetLagAlarm`'s rule, and one of the trigger's.
 *
 * @example
 * ```ts
 * validateProps(this, 'ConsumerAlarms.addOffsetLagAlarm', props, [OFFSET_LAG_THRESHOLD_RULE]);
 * ```
 */
export const OFFSET_LAG_THRESHOLD_RULE: ValidationRule<OffsetLagAlarmProps> = integerRule(
  'offsetLagAlarmThreshold',
  (p) => p.offsetLagAlarmThreshold,
  1,
  Number.MAX_SAFE_INTEGER,
);

/** The trigger's props with the manifest's defaults filled in. */
export type ResolvedMskTriggerProps = MskTriggerProps & {
  readonly topics: readonly string[];
  readonly consumerGroupId: string;
};

const repeatedTopic = ({ topics }: ResolvedMskTriggerProps) =>
  Token.isUnresolved(topics) ? undefined : topics.find((topic, index) => topics.indexOf(topic) !== index);

/**
 * The rules of `addMskTrigger`'s props.
 *
 * @example
 * ```ts
 * validateProps(this, 'addMskTrigger', resolved, MSK_TRIGGER_RULES);
 * ```
 */
export const MSK_TRIGGER_RULES: readonly ValidationRule<ResolvedMskTriggerProps>[] = [
  {
    condition: ({ clusterArn }) => !isClusterArn(clusterArn),
    message: ({ clusterArn }) => clusterArnMessage(clusterArn),
  },
  nonEmptyRule('clusterNetwork.subnetIds', (p) => p.clusterNetwork?.subnetIds, 'subnet'),
  eachRule(
    'clusterNetwork.subnetIds[]',
    (p) => p.clusterNetwork?.subnetIds,
    (id) => SUBNET_ID_PATTERN.test(id),
    'must look like subnet-<hex>',
  ),
  nonEmptyRule(
    'clusterNetwork.securityGroupIds',
    (p) => p.clusterNetwork?.securityGroupIds,
    'security group',
  ),
  eachRule(
    'clusterNetwork.securityGroupIds[]',
    (p) => p.clusterNetwork?.securityGroupIds,
    (id) => SECURITY_GROUP_ID_PATTERN.test(id),
    'must look like sg-<hex>',
  ),
  nonEmptyRule('topics', (p) => p.topics, 'topic'),
  eachRule(
    'topics[]',
    (p) => p.topics,
    (topic) => TOPIC_PATTERN.test(topic),
    'must be 1 to 249 letters, digits, ".", "_" and "-"',
  ),
  {
    condition: (p) => repeatedTopic(p) !== undefined,
    message: (p) => `topics must name each topic once, got "${repeatedTopic(p)}" twice`,
  },
  integerRule('batchSize', (p) => p.batchSize, 1, 10_000),
  OFFSET_LAG_THRESHOLD_RULE,
];
