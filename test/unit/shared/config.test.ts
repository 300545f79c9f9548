import {
  createDocumentClient,
  Idempotency,
  type IdempotencyOptions,
  IdempotencyStore,
  type IdempotencyStoreOptions,
} from '../../../shared/internal';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

// A client that is never used to send: constructing one does no network I/O.
const client = createDocumentClient({
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

afterAll(() => {
  client.destroy();
});

function layer(overrides: Record<string, unknown>): Idempotency {
  const options = {
    service: 'billing',
    tableName: 'idempotency',
    client,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    ...overrides,
  } as unknown as IdempotencyOptions;
  return new Idempotency(options);
}

describe('Idempotency options', () => {
  test('valid options with defaults construct a layer', () => {
    const idem = layer({ eventTypeTtlSeconds: { 'orders.placed.v1': 3_600 } });
    expect(idem.ttlFor('orders.placed.v1')).toBe(3_600);
    expect(idem.ttlFor('other.v1')).toBe(86_400);
  });

  test('the lower bounds are allowed: no lease margin, no skew margin, no cached result', () => {
    expect(layer({ leaseMarginMs: 0, clockSkewMs: 0, maxResultBytes: 0 })).toBeInstanceOf(Idempotency);
  });

  test.each([
    ['service', '', /Option service .*got ""/],
    ['service', 'has space', /Option service .*got "has space"/],
    ['service', 'x'.repeat(65), /Option service/],
    ['service', undefined, /Option service .*got undefined/],
    ['tableName', '', /Option tableName must be a non-empty string, got ""/],
    ['tableName', 42, /Option tableName .*got 42/],
    ['keyPrefix', '', /Option keyPrefix must be 1-64 characters, got ""/],
    ['keyStrategy', 'hash', /Option keyStrategy .*got "hash"/],
    ['defaultTtlSeconds', 0, /Option defaultTtlSeconds must be an integer >= 1, got 0/],
    ['defaultTtlSeconds', 1.5, /Option defaultTtlSeconds .*got 1.5/],
    ['defaultTtlSeconds', Number.NaN, /Option defaultTtlSeconds .*got NaN/],
    ['eventTypeTtlSeconds', { 'a.v1': -5 }, /Option eventTypeTtlSeconds\['a.v1'\] .*got -5/],
    ['leaseMarginMs', -1, /Option leaseMarginMs must be an integer >= 0, got -1/],
    ['fallbackLeaseMs', 0, /Option fallbackLeaseMs must be an integer >= 1, got 0/],
    ['fallbackLeaseMs', Number.POSITIVE_INFINITY, /Option fallbackLeaseMs .*got Infinity/],
    ['failureMode', 'open', /Option failureMode .*got "open"/],
    ['clockSkewMs', -1, /Option clockSkewMs must be an integer >= 0, got -1/],
    ['clockSkewMs', Number.NaN, /Option clockSkewMs .*got NaN/],
    ['clockSkewMs', 0.5, /Option clockSkewMs must be an integer >= 0, got 0.5/],
    [
      'maxResultBytes',
      400_000,
      /Option maxResultBytes must be an integer from 0 to 350000 \(DynamoDB items are limited to 400 KB\), got 400000\./,
    ],
    ['maxResultBytes', -1, /Option maxResultBytes .*got -1/],
  ])('%s = %p is a TypeError naming the option and the value', (option, value, message) => {
    const build = () => layer({ [option]: value });
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });
});

describe('IdempotencyStore options', () => {
  function store(overrides: Record<string, unknown>): IdempotencyStore {
    return new IdempotencyStore({
      tableName: 't',
      client,
      ...overrides,
    } as unknown as IdempotencyStoreOptions);
  }

  test('defaults', () => {
    const s = store({});
    expect(s.clockSkewMs).toBe(1_000);
    expect(s.maxResultBytes).toBe(131_072);
  });

  test.each([
    ['tableName', '', /Option tableName/],
    ['clockSkewMs', -0.5, /Option clockSkewMs .*got -0.5/],
    ['maxResultBytes', 350_001, /Option maxResultBytes must be an integer from 0 to 350000/],
  ])('%s = %p is a TypeError naming the option', (option, value, message) => {
    expect(() => store({ [option]: value })).toThrow(TypeError);
    expect(() => store({ [option]: value })).toThrow(message);
  });
});
