import { join } from 'node:path';
import { MANIFESTS } from '../../../functions/manifests';
import {
  type Consumer,
  type ConsumerManifest,
  defineConsumer,
  ENV,
  loadConsumerConfig,
} from '../../../shared/internal';

const REQUIRED = {
  [ENV.IDEMPOTENCY_TABLE_NAME]: 'idempotency',
  [ENV.DEAD_LETTER_QUEUE_URL]: 'file:///tmp/dead-letters.jsonl',
};

describe('loadConsumerConfig', () => {
  test('reads the required variables and applies the defaults', () => {
    expect(loadConsumerConfig(REQUIRED)).toEqual({
      idempotencyTableName: 'idempotency',
      deadLetterQueueUrl: 'file:///tmp/dead-letters.jsonl',
      partialBatchResponse: false,
      failureMode: 'fail-closed',
      dynamodbEndpoint: undefined,
      sqsEndpoint: undefined,
      deadLetterSpillBucket: undefined,
      s3Endpoint: undefined,
      leaseMarginMs: undefined,
      fallbackLeaseMs: undefined,
    });
  });

  test('reads every optional variable', () => {
    const config = loadConsumerConfig({
      ...REQUIRED,
      [ENV.PARTIAL_BATCH_RESPONSE]: 'true',
      [ENV.FAILURE_MODE]: 'fail-open',
      [ENV.DYNAMODB_ENDPOINT]: 'http://localhost:8000',
      [ENV.SQS_ENDPOINT]: 'http://localhost:4566',
      [ENV.DEAD_LETTER_SPILL_BUCKET]: 'dead-letter-payloads',
      [ENV.S3_ENDPOINT]: 'http://127.0.0.1:4566',
      [ENV.LEASE_MARGIN_MS]: '0',
      [ENV.FALLBACK_LEASE_MS]: ' 30000 ',
      [ENV.LOCAL_CACHE_MAX_ITEMS]: '500',
    });
    expect(config).toMatchObject({
      partialBatchResponse: true,
      failureMode: 'fail-open',
      dynamodbEndpoint: 'http://localhost:8000',
      sqsEndpoint: 'http://localhost:4566',
      deadLetterSpillBucket: 'dead-letter-payloads',
      s3Endpoint: 'http://127.0.0.1:4566',
      leaseMarginMs: 0,
      fallbackLeaseMs: 30_000,
      localCacheMaxItems: 500,
    });
  });

  test.each([ENV.IDEMPOTENCY_TABLE_NAME, ENV.DEAD_LETTER_QUEUE_URL])('fails if %s is missing', (name) => {
    const env: NodeJS.ProcessEnv = { ...REQUIRED };
    delete env[name];
    expect(() => loadConsumerConfig(env)).toThrow(`Environment variable ${name} is required`);
  });

  test.each([
    [ENV.PARTIAL_BATCH_RESPONSE, 'yes', /KAFKA_PARTIAL_BATCH_RESPONSE must be true or false, got "yes"/],
    [ENV.FAILURE_MODE, 'open', /IDEMPOTENCY_FAILURE_MODE must be one of fail-closed, fail-open, got "open"/],
    [
      ENV.LEASE_MARGIN_MS,
      '10ms',
      /IDEMPOTENCY_LEASE_MARGIN_MS must be an integer from 0 to 900000, got "10ms"/,
    ],
    [ENV.LEASE_MARGIN_MS, '-1', /IDEMPOTENCY_LEASE_MARGIN_MS must be an integer/],
    [
      ENV.LOCAL_CACHE_MAX_ITEMS,
      '1e3',
      /IDEMPOTENCY_LOCAL_CACHE_MAX_ITEMS must be an integer from 0 to 1000000, got "1e3"/,
    ],
    [
      ENV.FALLBACK_LEASE_MS,
      '0',
      /IDEMPOTENCY_FALLBACK_LEASE_MS must be an integer from 1 to 900000, got "0"/,
    ],
    [ENV.FALLBACK_LEASE_MS, '1e4', /IDEMPOTENCY_FALLBACK_LEASE_MS must be an integer/],
    [ENV.FALLBACK_LEASE_MS, '1.5', /IDEMPOTENCY_FALLBACK_LEASE_MS must be an integer/],
  ])('fails if %s is %s', (name, value, message) => {
    expect(() => loadConsumerConfig({ ...REQUIRED, [name]: value })).toThrow(message);
  });
});

describe('defineConsumer', () => {
  test.each(
    MANIFESTS.map((m) => [m.service, m] as const),
  )('%s requires each table variable its manifest names, and reads it', async (service, manifest) => {
    const { consumer } = (await import(
      join(__dirname, '..', '..', '..', 'functions', service, 'handler.ts')
    )) as {
      consumer: Consumer<ConsumerManifest>;
    };
    expect(consumer.manifest).toBe(manifest);
    for (const name of Object.keys(manifest.tables)) {
      expect(() => consumer.create({ env: REQUIRED })).toThrow(`Environment variable ${name} is required`);
    }
    const tables = Object.fromEntries(Object.keys(manifest.tables).map((name) => [name, `t-${name}`]));
    expect(typeof consumer.create({ env: { ...REQUIRED, ...tables } }).process).toBe('function');
  });

  test.each([
    [{ service: 'Orders' }, /service must be 1-64 lowercase letters, digits and "-", got "Orders"/],
    [{ id: 'orders' }, /id must be PascalCase letters and digits \(a construct id\), got "orders"/],
    [{ topics: [] }, /topics must be at least one topic/],
    [{ topics: ['a:b'] }, /topics\[\] must be a Kafka topic name, got "a:b"/],
    [
      { mode: 'exactly-once' },
      /mode must be 'transactional', 'two-phase' or 'transactional-single-write', got "exactly-once"/,
    ],
    [
      { tables: { ordersTable: { actions: ['dynamodb:PutItem'] } } },
      /tables key must be an environment variable name/,
    ],
    [
      { tables: { ORDERS_TABLE: { actions: [] } } },
      /tables.ORDERS_TABLE.actions must be at least one action/,
    ],
    [{ ttlSeconds: { 'orders.v1': 0 } }, /ttlSeconds\['orders.v1'\] must be an integer >= 1, got 0/],
  ])('fails if the manifest has %j', (override, message) => {
    const manifest = {
      service: 'orders',
      id: 'Orders',
      topics: ['orders.v1'],
      mode: 'two-phase',
      tables: {},
      ...override,
    };
    expect(() => defineConsumer(manifest as ConsumerManifest, () => ({}))).toThrow(message);
  });
});
