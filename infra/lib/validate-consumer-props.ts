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
import { type CodecSpec, ENV, type TableAction } from '../../shared/internal';
import type { ConsumerAlarmsOptions, OffsetLagAlarmProps } from '../constructs/consumer-alarms';
import type {
  IdempotentKafkaConsumerProps,
  KafkaTriggerOptions,
  MskTriggerProps,
  SelfManagedKafkaTriggerProps,
} from '../constructs/idempotent-kafka-consumer';
import { clusterArnMessage, isClusterArn } from './kafka-arns';
import type { KafkaAuthentication, KafkaAuthMethod, KafkaClusterNetwork } from './kafka-source';
import { TRIGGER_DEFAULTS } from './trigger-defaults';
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

/** A trigger's props with the manifest's defaults filled in, and the manifest's codec. */
export type ResolvedKafkaTriggerProps = KafkaTriggerOptions & {
  readonly topics: readonly string[];
  readonly consumerGroupId: string;
  readonly codec: CodecSpec | undefined;
};

/** The first item a list holds twice (an absent or unresolved list has none). */
const repeated = <T>(list: readonly T[] | undefined): T | undefined =>
  list === undefined || Token.isUnresolved(list)
    ? undefined
    : list.find((item, index) => list.indexOf(item) !== index);

/** A list names each item once: `<name> must name each <what> once, got "<item>" twice`. */
const onceRule = <P>(
  name: string,
  list: (p: P) => readonly string[] | undefined,
  what: string,
): ValidationRule<P> => ({
  condition: (p) => repeated(list(p)) !== undefined,
  message: (p) => `${name} must name each ${what} once, got "${repeated(list(p))}" twice`,
});

/** A value for a message: JSON, cut to 80 characters (a filter pattern may be long). */
const shown = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** The first filter that is not `{ pattern: <JSON object text> }`, with its index. */
const badFilter = ({ filters }: ResolvedKafkaTriggerProps) => {
  if (filters === undefined || Token.isUnresolved(filters)) return undefined;
  const index = filters.findIndex((filter) => {
    const keys = Object.keys(filter);
    const pattern = filter.pattern;
    if (keys.length !== 1 || typeof pattern !== 'string') return true;
    if (Token.isUnresolved(pattern)) return false;
    try {
      const parsed: unknown = JSON.parse(pattern);
      return typeof parsed !== 'object' || parsed === null || Array.isArray(parsed);
    } catch {
      return true;
    }
  });
  return index === -1 ? undefined : { index, filter: filters[index] };
};

/** What the manifest's codec must be for the registry's record format (AWS: SOURCE strips the schema header). */
const WIRE_OF_RECORD_FORMAT = { JSON: 'esm-json', SOURCE: 'raw' } as const;

/** The wire of a binary codec (Avro, Protobuf); undefined for the others. */
const wireOf = (codec: CodecSpec | undefined) =>
  codec?.kind === 'avro' || codec?.kind === 'protobuf' ? codec.wire : undefined;

const codecMismatch = (p: ResolvedKafkaTriggerProps) => {
  const registry = p.schemaRegistry;
  if (registry === undefined) return wireOf(p.codec) === 'esm-json' ? 'no-registry' : undefined;
  const wire = WIRE_OF_RECORD_FORMAT[registry.eventRecordFormat];
  return wireOf(p.codec) === wire ? undefined : wire;
};

const describeCodec = (codec: CodecSpec | undefined) =>
  codec === undefined
    ? 'none (the envelope)'
    : `${codec.kind}${wireOf(codec) !== undefined ? ` with wire "${wireOf(codec)}"` : ''}`;

/** An AWS Glue registry ARN. */
const GLUE_REGISTRY_ARN_PATTERN =
  /^arn:aws[a-zA-Z-]*:glue:[a-z0-9-]+:\d{12}:registry\/[a-zA-Z0-9_$#-]{1,255}$/;

/**
 * The rules every Kafka trigger's props share (`addMskTrigger`, `addSelfManagedKafkaTrigger`): topics,
 * batch size, lag threshold, filters, the Kafka on-failure topic, the schema registry and its
 * agreement with the manifest's codec.
 *
 * @example
 * ```ts
 * validateProps(this, 'addMskTrigger', resolved, [...KAFKA_TRIGGER_RULES, ...MSK_TRIGGER_RULES]);
 * ```
 */
export const KAFKA_TRIGGER_RULES: readonly ValidationRule<ResolvedKafkaTriggerProps>[] = [
  nonEmptyRule('topics', (p) => p.topics, 'topic'),
  eachRule(
    'topics[]',
    (p) => p.topics,
    (topic) => TOPIC_PATTERN.test(topic),
    'must be 1 to 249 letters, digits, ".", "_" and "-"',
  ),
  onceRule('topics', (p) => p.topics, 'topic'),
  integerRule('batchSize', (p) => p.batchSize, 1, 10_000),
  OFFSET_LAG_THRESHOLD_RULE,
  {
    condition: ({ filters }) =>
      filters !== undefined && !Token.isUnresolved(filters) && filters.length > TRIGGER_DEFAULTS.maxFilters,
    message: ({ filters }) =>
      `filters must hold at most ${TRIGGER_DEFAULTS.maxFilters} patterns (Lambda's default quota per event source mapping), ` +
      `got ${filters?.length}: merge patterns (one pattern may list several values per field)`,
  },
  {
    condition: (p) => badFilter(p) !== undefined,
    message: (p) =>
      `filters[${badFilter(p)?.index}] must be { pattern: <JSON object text> }, as lambda.FilterCriteria.filter({ ... }) builds it, ` +
      `got ${shown(badFilter(p)?.filter)}`,
  },
  {
    condition: ({ onFailureTopic }) =>
      onFailureTopic !== undefined &&
      !Token.isUnresolved(onFailureTopic) &&
      !TOPIC_PATTERN.test(onFailureTopic),
    message: ({ onFailureTopic }) =>
      `onFailureTopic must be a topic name of 1 to 249 letters, digits, ".", "_" and "-" (the cluster's own topic; not a kafka:// URI), got ${JSON.stringify(onFailureTopic)}`,
  },
  {
    condition: ({ onFailureTopic, topics }) =>
      onFailureTopic !== undefined && !Token.isUnresolved(topics) && topics.includes(onFailureTopic),
    message: ({ onFailureTopic }) =>
      `onFailureTopic must not be one of the topics the trigger reads (Lambda refuses a destination equal to its source), got "${onFailureTopic}": ` +
      'use a dead-letter topic of its own, such as "<topic>.dlt"',
  },
  {
    condition: ({ schemaRegistry: r }) =>
      r?.type === 'glue' &&
      !Token.isUnresolved(r.registryArn) &&
      !GLUE_REGISTRY_ARN_PATTERN.test(r.registryArn),
    message: ({ schemaRegistry: r }) =>
      `schemaRegistry.registryArn must look like arn:aws:glue:<region>:<account>:registry/<name>, got ${JSON.stringify(r?.type === 'glue' ? r.registryArn : undefined)}`,
  },
  {
    condition: ({ schemaRegistry: r }) =>
      r?.type === 'confluent' && !Token.isUnresolved(r.url) && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(r.url),
    message: ({ schemaRegistry: r }) =>
      `schemaRegistry.url must be the registry's http(s) URL, got ${JSON.stringify(r?.type === 'confluent' ? r.url : undefined)}`,
  },
  {
    condition: ({ schemaRegistry: r }) =>
      r !== undefined && r.eventRecordFormat !== 'JSON' && r.eventRecordFormat !== 'SOURCE',
    message: ({ schemaRegistry: r }) =>
      `schemaRegistry.eventRecordFormat must be "JSON" or "SOURCE", got ${JSON.stringify(r?.eventRecordFormat)}`,
  },
  nonEmptyRule('schemaRegistry.validate', (p) => p.schemaRegistry?.validate, 'attribute (KEY or VALUE)'),
  eachRule(
    'schemaRegistry.validate[]',
    (p) => p.schemaRegistry?.validate,
    (attribute) => attribute === 'KEY' || attribute === 'VALUE',
    'must be "KEY" or "VALUE"',
  ),
  onceRule('schemaRegistry.validate', (p) => p.schemaRegistry?.validate, 'attribute'),
  {
    condition: (p) => codecMismatch(p) !== undefined,
    message: (p) => {
      const wire = codecMismatch(p);
      if (wire === 'no-registry') {
        return (
          'the manifest\'s codec has wire "esm-json", which only the event source mapping\'s schema-registry integration produces, ' +
          "but the trigger has no schemaRegistry: set schemaRegistry with eventRecordFormat: 'JSON', or change the codec's wire"
        );
      }
      return (
        `schemaRegistry.eventRecordFormat "${p.schemaRegistry?.eventRecordFormat}" delivers ` +
        (wire === 'esm-json'
          ? 'each record decoded to JSON'
          : 'each record in its source encoding with the schema header removed (the schema id in valueSchemaMetadata)') +
        `, so the manifest's codec must be avro or protobuf with wire "${wire}", got ${describeCodec(p.codec)}: ` +
        `set codec: { kind: 'avro' | 'protobuf', wire: '${wire}' } in the manifest, or change eventRecordFormat`
      );
    },
  },
];

const networkRules = <T>(
  name: string,
  network: (p: T) => KafkaClusterNetwork | undefined,
): ValidationRule<T>[] => [
  nonEmptyRule(`${name}.subnetIds`, (p: T) => network(p)?.subnetIds, 'subnet'),
  eachRule(
    `${name}.subnetIds[]`,
    (p: T) => network(p)?.subnetIds,
    (id) => SUBNET_ID_PATTERN.test(id),
    'must look like subnet-<hex>',
  ),
  nonEmptyRule(`${name}.securityGroupIds`, (p: T) => network(p)?.securityGroupIds, 'security group'),
  eachRule(
    `${name}.securityGroupIds[]`,
    (p: T) => network(p)?.securityGroupIds,
    (id) => SECURITY_GROUP_ID_PATTERN.test(id),
    'must look like sg-<hex>',
  ),
];

const authRules = <T extends { readonly authentication?: KafkaAuthentication }>(
  allowed: readonly KafkaAuthMethod[],
  where: string,
): ValidationRule<T>[] => [
  {
    condition: ({ authentication }) =>
      authentication !== undefined && !allowed.includes(authentication.method),
    message: ({ authentication }) =>
      `authentication.method must be one of ${allowed.join(', ')} for ${where}, got ${JSON.stringify(authentication?.method)}`,
  },
  {
    condition: ({ authentication }) =>
      authentication !== undefined && authentication.method !== 'IAM' && authentication.secret === undefined,
    message: ({ authentication }) =>
      `authentication.secret is required with method ${authentication?.method}: the Secrets Manager secret with the credentials ` +
      '(SASL/SCRAM: {"username","password"}; MTLS: {"certificate","privateKey"})',
  },
  {
    condition: ({ authentication }) =>
      authentication?.method === 'IAM' && authentication.secret !== undefined,
    message: () =>
      'authentication.secret must not be set with method IAM: the execution role is the identity',
  },
];

/**
 * The rules of `addMskTrigger`'s own props (beside {@link KAFKA_TRIGGER_RULES}).
 *
 * @example
 * ```ts
 * validateProps(this, 'addMskTrigger', resolved, [...KAFKA_TRIGGER_RULES, ...MSK_TRIGGER_RULES]);
 * ```
 */
export const MSK_TRIGGER_RULES: readonly ValidationRule<MskTriggerProps>[] = [
  {
    condition: ({ clusterArn }) => !isClusterArn(clusterArn),
    message: ({ clusterArn }) => clusterArnMessage(clusterArn),
  },
  ...networkRules<MskTriggerProps>('clusterNetwork', (p) => p.clusterNetwork),
  ...authRules<MskTriggerProps>(
    ['IAM', 'SASL_SCRAM_512', 'MTLS'],
    'Amazon MSK (SCRAM-SHA-256 is self-managed only)',
  ),
];

/** `host:port` of a broker: a DNS name or IPv4 address, and a port. */
const BOOTSTRAP_SERVER_PATTERN = /^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252}[a-zA-Z0-9])?:\d{1,5}$/;

/**
 * The rules of `addSelfManagedKafkaTrigger`'s own props (beside {@link KAFKA_TRIGGER_RULES}).
 *
 * @example
 * ```ts
 * validateProps(this, 'addSelfManagedKafkaTrigger', resolved, [...KAFKA_TRIGGER_RULES, ...SELF_MANAGED_KAFKA_TRIGGER_RULES]);
 * ```
 */
export const SELF_MANAGED_KAFKA_TRIGGER_RULES: readonly ValidationRule<SelfManagedKafkaTriggerProps>[] = [
  nonEmptyRule('bootstrapServers', (p) => p.bootstrapServers, 'broker (host:port)'),
  eachRule(
    'bootstrapServers[]',
    (p) => p.bootstrapServers,
    (server) => BOOTSTRAP_SERVER_PATTERN.test(server),
    'must be host:port (a DNS name or IPv4 address, and a port)',
  ),
  onceRule('bootstrapServers', (p) => p.bootstrapServers, 'broker'),
  ...networkRules<SelfManagedKafkaTriggerProps>('network', (p) => p.network),
  ...authRules<SelfManagedKafkaTriggerProps>(
    ['SASL_SCRAM_256', 'SASL_SCRAM_512', 'MTLS'],
    'a self-managed cluster (IAM auth is MSK only)',
  ),
];
