import { loadConsumerConfig } from '../../../../functions/common/config';
import { loadConfig as loadEssayConfig } from '../../../../functions/essay-lifecycle/config';
import { loadConfig as loadSpellcheckerConfig } from '../../../../functions/spellchecker/config';
import { ENV } from '../../../../shared';

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
      [ENV.LEASE_MARGIN_MS]: '0',
      [ENV.FALLBACK_LEASE_MS]: ' 30000 ',
    });
    expect(config).toMatchObject({
      partialBatchResponse: true,
      failureMode: 'fail-open',
      dynamodbEndpoint: 'http://localhost:8000',
      sqsEndpoint: 'http://localhost:4566',
      leaseMarginMs: 0,
      fallbackLeaseMs: 30_000,
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

describe("each consumer's loadConfig", () => {
  test('the essay-lifecycle consumer requires ESSAY_TABLE_NAME', () => {
    expect(() => loadEssayConfig(REQUIRED)).toThrow('Environment variable ESSAY_TABLE_NAME is required');
    expect(loadEssayConfig({ ...REQUIRED, [ENV.ESSAY_TABLE_NAME]: 'essays' }).essayTableName).toBe('essays');
  });

  test('the spellchecker consumer requires SPELLCHECK_TABLE_NAME', () => {
    expect(() => loadSpellcheckerConfig(REQUIRED)).toThrow(
      'Environment variable SPELLCHECK_TABLE_NAME is required',
    );
    expect(
      loadSpellcheckerConfig({ ...REQUIRED, [ENV.SPELLCHECK_TABLE_NAME]: 'spellchecks' }).spellcheckTableName,
    ).toBe('spellchecks');
  });
});
