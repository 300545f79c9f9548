import {
  type BatchItem,
  batchKey,
  type EssayItem,
  essayKey,
  planBatchRegistration,
  planContentProvisioned,
} from '../../../../functions/essay-lifecycle/domain';
import {
  BatchRegisteredData,
  ContentProvisionedData,
  EssayEventType,
} from '../../../../functions/essay-lifecycle/events';
import { envelope } from '../../../../scripts/lib/msk-events';
import {
  InvalidRecordError,
  PermanentError,
  parseData,
  RetryableError,
  type TransactionalWrite,
} from '../../../../shared/internal';

const TABLE = 'essays';
const NOW = Date.parse('2025-03-01T12:00:00Z');
const FACTS = { eventId: 'evt-9', now: NOW };

function registered(overrides: Partial<BatchItem> = {}): BatchItem {
  return {
    essay_ids: ['e1', 'e2', 'e3'],
    essay_count: 3,
    ready_count: 0,
    registered_at: '2025-03-01T11:00:00.000Z',
    registered_event_id: 'evt-1',
    ...overrides,
  };
}

function ready(textStorageId: string): EssayItem {
  return {
    status: 'ready',
    text_storage_id: textStorageId,
    ready_at: '2025-03-01T11:30:00.000Z',
    provisioned_event_id: 'evt-2',
  };
}

function put(write: TransactionalWrite | undefined) {
  if (write?.Put === undefined) throw new Error(`expected a Put, got ${JSON.stringify(write)}`);
  return write.Put;
}

function update(write: TransactionalWrite | undefined) {
  if (write?.Update === undefined) throw new Error(`expected an Update, got ${JSON.stringify(write)}`);
  return write.Update;
}

describe('planBatchRegistration', () => {
  test('a new batch is one Put of its item with ready_count 0, conditional on the item not existing', () => {
    // GIVEN a registration for a batch the table does not have
    const data = { batch_id: 'b1', essay_ids: ['e1', 'e2'], course_code: 'ENG5' };

    // WHEN it is planned
    const plan = planBatchRegistration(TABLE, data, undefined, FACTS);

    // THEN one conditional Put creates the batch item
    expect(plan.result).toEqual({ batch_id: 'b1', essay_count: 2, outcome: 'registered' });
    expect(plan.writes).toHaveLength(1);
    const write = put(plan.writes[0]);
    expect(write.TableName).toBe(TABLE);
    expect(write.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(write.ExpressionAttributeNames).toEqual({ '#pk': 'pk' });
    expect(write.Item).toEqual({
      pk: 'BATCH#b1',
      sk: 'META',
      essay_ids: ['e1', 'e2'],
      essay_count: 2,
      ready_count: 0,
      course_code: 'ENG5',
      registered_at: '2025-03-01T12:00:00.000Z',
      registered_event_id: 'evt-9',
      updated_at: '2025-03-01T12:00:00.000Z',
    });
  });

  test('a course code is optional and left out of the item when absent', () => {
    const plan = planBatchRegistration(TABLE, { batch_id: 'b1', essay_ids: ['e1'] }, undefined, FACTS);
    expect(put(plan.writes[0]).Item).not.toHaveProperty('course_code');
  });

  test('the same registration again (same essays in another order, same course) is a no-op', () => {
    const plan = planBatchRegistration(
      TABLE,
      { batch_id: 'b1', essay_ids: ['e3', 'e1', 'e2'] },
      registered(),
      FACTS,
    );
    expect(plan).toEqual({
      result: { batch_id: 'b1', essay_count: 3, outcome: 'already-registered' },
      writes: [],
    });
  });

  test.each([
    ['other essays', { essay_ids: ['e1', 'e2', 'e4'] }],
    ['fewer essays', { essay_ids: ['e1', 'e2'] }],
    ['another course', { essay_ids: ['e1', 'e2', 'e3'], course_code: 'MATH1' }],
  ])('a registration of an existing batch with %s is permanent and names the batch', (_, change) => {
    expect(() => planBatchRegistration(TABLE, { batch_id: 'b1', ...change }, registered(), FACTS)).toThrow(
      PermanentError,
    );
    expect(() => planBatchRegistration(TABLE, { batch_id: 'b1', ...change }, registered(), FACTS)).toThrow(
      /Batch b1 is already registered \(event evt-1\)/,
    );
  });
});

describe('planContentProvisioned', () => {
  const data = { batch_id: 'b1', essay_id: 'e2', text_storage_id: 'store-42' };

  test('a first provisioning creates the essay item and increments ready_count in one transaction', () => {
    // GIVEN a registered batch whose essay e2 has no content yet
    // WHEN its content is provisioned
    const plan = planContentProvisioned(TABLE, data, { batch: registered(), essay: undefined }, FACTS);

    // THEN two conditional writes: the essay item (must not exist) and the batch's counter
    expect(plan.result).toEqual({ batch_id: 'b1', essay_id: 'e2', outcome: 'marked-ready' });
    expect(plan.writes).toHaveLength(2);
    const essay = put(plan.writes[0]);
    expect(essay.Item).toEqual({
      ...essayKey('b1', 'e2'),
      batch_id: 'b1',
      essay_id: 'e2',
      status: 'ready',
      text_storage_id: 'store-42',
      ready_at: '2025-03-01T12:00:00.000Z',
      provisioned_event_id: 'evt-9',
    });
    expect(essay.ConditionExpression).toBe('attribute_not_exists(#pk)');

    const counter = update(plan.writes[1]);
    expect(counter.Key).toEqual(batchKey('b1'));
    expect(counter.UpdateExpression).toBe('SET #readyCount = #readyCount + :one, #updatedAt = :now');
    expect(counter.ConditionExpression).toBe(
      'attribute_exists(#pk) AND contains(#essayIds, :essayId) AND #readyCount < #essayCount',
    );
    expect(counter.ExpressionAttributeNames).toEqual({
      '#pk': 'pk',
      '#essayIds': 'essay_ids',
      '#readyCount': 'ready_count',
      '#essayCount': 'essay_count',
      '#updatedAt': 'updated_at',
    });
    expect(counter.ExpressionAttributeValues).toEqual({
      ':one': 1,
      ':essayId': 'e2',
      ':now': '2025-03-01T12:00:00.000Z',
    });
  });

  test('content for a batch not registered yet is retryable', () => {
    const plan = () => planContentProvisioned(TABLE, data, { batch: undefined, essay: undefined }, FACTS);
    expect(plan).toThrow(RetryableError);
    expect(plan).toThrow(/Batch b1 is not registered yet/);
  });

  test('content for an essay that is not part of the batch is permanent', () => {
    const plan = () =>
      planContentProvisioned(
        TABLE,
        { ...data, essay_id: 'e9' },
        { batch: registered(), essay: undefined },
        FACTS,
      );
    expect(plan).toThrow(PermanentError);
    expect(plan).toThrow(/Essay e9 is not part of batch b1/);
  });

  test('the same content again for a ready essay is a no-op: no write, the count is untouched', () => {
    const plan = planContentProvisioned(
      TABLE,
      data,
      { batch: registered({ ready_count: 1 }), essay: ready('store-42') },
      FACTS,
    );
    expect(plan).toEqual({
      result: { batch_id: 'b1', essay_id: 'e2', outcome: 'already-ready' },
      writes: [],
    });
  });

  test('other content for a ready essay is permanent and names both contents', () => {
    const plan = () =>
      planContentProvisioned(
        TABLE,
        data,
        { batch: registered({ ready_count: 1 }), essay: ready('store-1') },
        FACTS,
      );
    expect(plan).toThrow(PermanentError);
    expect(plan).toThrow(/already ready with content store-1 \(event evt-2\).*other content store-42/);
  });
});

describe('event data validation', () => {
  function parse(
    schema: typeof BatchRegisteredData | typeof ContentProvisionedData,
    data: Record<string, unknown>,
  ) {
    const type =
      schema === BatchRegisteredData ? EssayEventType.BATCH_REGISTERED : EssayEventType.CONTENT_PROVISIONED;
    return () => parseData(schema, envelope({ event_type: type, event_id: 'evt-x', data }));
  }

  test('a valid registration parses, and unknown fields are dropped', () => {
    const data = parse(BatchRegisteredData, { batch_id: 'b1', essay_ids: ['e1'], extra: true })();
    expect(data).toEqual({ batch_id: 'b1', essay_ids: ['e1'] });
  });

  test.each([
    ['batch_id missing', { essay_ids: ['e1'] }, /batch_id:/],
    ['essay_ids empty', { batch_id: 'b1', essay_ids: [] }, /essay_ids:/],
    [
      'essay_ids over 500',
      { batch_id: 'b1', essay_ids: Array.from({ length: 501 }, (_, i) => `e${i}`) },
      /essay_ids:/,
    ],
    [
      'a duplicate essay id',
      { batch_id: 'b1', essay_ids: ['e1', 'e2', 'e1'] },
      /essay_ids\.2: duplicate essay id "e1"/,
    ],
    ['an empty essay id', { batch_id: 'b1', essay_ids: [''] }, /essay_ids\.0:/],
    ['a numeric course code', { batch_id: 'b1', essay_ids: ['e1'], course_code: 5 }, /course_code:/],
  ])('a registration with %s is an invalid record naming the field', (_, data, field) => {
    expect(parse(BatchRegisteredData, data)).toThrow(InvalidRecordError);
    expect(parse(BatchRegisteredData, data)).toThrow(field);
    expect(parse(BatchRegisteredData, data)).toThrow(/Event evt-x \(huleedu\.essay\.batch\.registered\.v1\)/);
  });

  test.each([
    ['essay_id missing', { batch_id: 'b1', text_storage_id: 's' }, /essay_id:/],
    ['text_storage_id empty', { batch_id: 'b1', essay_id: 'e1', text_storage_id: '' }, /text_storage_id:/],
    ['batch_id a number', { batch_id: 7, essay_id: 'e1', text_storage_id: 's' }, /batch_id:/],
  ])('a content provisioning with %s is an invalid record naming the field', (_, data, field) => {
    expect(parse(ContentProvisionedData, data)).toThrow(InvalidRecordError);
    expect(parse(ContentProvisionedData, data)).toThrow(field);
  });
});
