import { marshall } from '@aws-sdk/util-dynamodb';
import { RecordStatus } from '../../../shared/internal';
import {
  claimRequest,
  commitRequest,
  completeRequest,
  conditionFailure,
  failRequest,
  judge,
  releaseRequest,
} from '../../../shared/transitions';

const target = { tableName: 'idem', id: 'idem:v1:svc:t.v1:abc', owner: 'me' };
const NOW = 1_700_000_000_000;

function claim(payloadHash: string | undefined) {
  return claimRequest({
    ...target,
    now: NOW,
    leaseMs: 30_000,
    ttlSeconds: 3_600,
    clockSkewMs: 1_000,
    payloadHash,
    context: { service: 'svc', event_id: undefined },
  });
}

function commit(
  outcome: Parameters<typeof commitRequest>[0]['outcome'],
  payloadHash: string | undefined = 'hash',
) {
  return commitRequest({
    ...target,
    now: NOW,
    ttlSeconds: 3_600,
    clockSkewMs: 1_000,
    payloadHash,
    context: { service: 'svc', event_id: 'e-1' },
    outcome,
  });
}

/** The `#placeholders` an expression uses. */
function placeholders(...expressions: (string | undefined)[]): string[] {
  return [...new Set(expressions.join(' ').match(/#\w+/g) ?? [])].sort();
}

describe('the transitions as requests', () => {
  test('complete, release and fail are fenced by one condition: owner = mine AND status = processing', () => {
    const fenced = [
      completeRequest({ ...target, now: NOW, ttlSeconds: 60, result: { json: '1', omitted: undefined } }),
      releaseRequest(target),
      failRequest({ ...target, now: NOW, ttlSeconds: 60, error: { name: 'E', message: 'm' } }),
    ];
    for (const request of fenced) {
      expect(request.ConditionExpression).toBe('#owner = :owner AND #status = :processing');
      expect(request.ExpressionAttributeValues).toMatchObject({
        ':owner': 'me',
        ':processing': 'processing',
      });
      expect(request.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
      expect(request.Key).toEqual({ id: target.id });
    }
  });

  test('a claim is accepted on an absent, expired or lease-over record, and returns the old item either way', () => {
    const request = claim('hash');
    expect(request.ConditionExpression).toBe(
      'attribute_not_exists(#id) OR #exp < :nowSeconds OR (#status = :processing AND #lease < :takeoverBefore)',
    );
    expect(request.ExpressionAttributeValues).toMatchObject({
      ':nowSeconds': NOW / 1000,
      ':takeoverBefore': NOW - 1_000,
      ':a_owner': 'me',
      ':a_status': RecordStatus.PROCESSING,
      ':a_lease_expires_at': NOW + 30_000,
      ':a_expiration': NOW / 1000 + 3_600,
      ':a_payload_hash': 'hash',
      ':a_service': 'svc',
    });
    expect(request.ExpressionAttributeValues).not.toHaveProperty(':a_event_id');
    expect([request.ReturnValues, request.ReturnValuesOnConditionCheckFailure]).toEqual([
      'ALL_OLD',
      'ALL_OLD',
    ]);
  });

  test('a claim without a payload hash removes the one a previous attempt stored', () => {
    expect(claim(undefined).UpdateExpression).toMatch(/REMOVE .*#hash/);
    expect(claim('hash').UpdateExpression).not.toMatch(/REMOVE .*#hash/);
  });

  test('every request names exactly the attributes its expressions use (DynamoDB refuses unused names)', () => {
    const requests = [
      claim('hash'),
      claim(undefined),
      completeRequest({
        ...target,
        now: NOW,
        ttlSeconds: 60,
        result: { json: undefined, omitted: 'too-large' },
      }),
      releaseRequest(target),
      failRequest({ ...target, now: NOW, ttlSeconds: 60, error: { name: 'E', message: 'm' } }),
      commit({ status: 'completed', result: { json: '1', omitted: undefined } }),
      commit({ status: 'completed', result: { json: undefined, omitted: 'too-large' } }, undefined),
      commit({ status: 'failed', error: { name: 'E', message: 'm' } }),
    ];
    for (const request of requests) {
      const update = 'UpdateExpression' in request ? request.UpdateExpression : undefined;
      expect(Object.keys(request.ExpressionAttributeNames ?? {}).sort()).toEqual(
        placeholders(update, request.ConditionExpression),
      );
    }
  });
});

describe('the single-write commit', () => {
  test('is conditioned exactly as a claim, and creates the record finished: no lease, the result or the error', () => {
    const completed = commit({ status: 'completed', result: { json: '{"ok":true}', omitted: undefined } });
    expect(completed.ConditionExpression).toBe(claim('hash').ConditionExpression);
    expect(completed.ExpressionAttributeValues).toMatchObject({
      ':nowSeconds': NOW / 1000,
      ':takeoverBefore': NOW - 1_000,
      ':a_status': RecordStatus.COMPLETED,
      ':a_owner': 'me',
      ':a_result': '{"ok":true}',
      ':a_expiration': NOW / 1000 + 3_600,
      ':a_finished_at': NOW,
      ':a_event_id': 'e-1',
    });
    expect(completed.UpdateExpression).toMatch(/REMOVE .*#lease/);
    expect(completed.UpdateExpression).toMatch(/REMOVE .*#error/);
    expect(completed.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    // A transaction item takes no ReturnValues.
    expect(completed).not.toHaveProperty('ReturnValues');

    const failed = commit({ status: 'failed', error: { name: 'E', message: 'm' } });
    expect(failed.ExpressionAttributeValues).toMatchObject({
      ':a_status': RecordStatus.FAILED,
      ':a_error': { name: 'E', message: 'm' },
    });
    expect(failed.UpdateExpression).toMatch(/REMOVE .*#result/);
  });

  test('never sets and removes one attribute (DynamoDB refuses such an expression)', () => {
    for (const request of [
      claim('hash'),
      claim(undefined),
      commit({ status: 'completed', result: { json: '1', omitted: undefined } }),
      commit({ status: 'completed', result: { json: undefined, omitted: 'not-serializable' } }, undefined),
      commit({ status: 'failed', error: { name: 'E', message: 'm' } }),
    ]) {
      const [set = '', remove = ''] = (request.UpdateExpression ?? '').replace(/^SET /, '').split(' REMOVE ');
      const names = request.ExpressionAttributeNames ?? {};
      const setAttributes = set.split(', ').map((a) => names[a.split(' = ')[0] ?? ''] ?? '');
      const removed = remove.split(', ').map((p) => names[p] ?? '');
      expect(setAttributes.filter((a) => removed.includes(a))).toEqual([]);
    }
  });

  test.each([
    ['commit', { owner: 'me', status: 'completed' }, { kind: 'mine' }],
    ['commit-failed', { owner: 'me', status: 'failed' }, { kind: 'mine' }],
    ['commit', { owner: 'other', status: 'completed', result: '1' }, { kind: 'exists' }],
    ['commit', { owner: 'me', status: 'processing' }, { kind: 'exists' }],
  ] as const)('%s refused by %o is %o', (transition, item, verdict) => {
    expect(judge(transition, item, 'me')).toMatchObject(verdict);
  });
});

describe('conditionFailure: the one decoder of refused transitions', () => {
  const refused = (item?: Record<string, unknown>) =>
    Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
      ...(item ? { Item: marshall(item) } : {}),
    });

  test.each([
    ['claim', { owner: 'me', status: 'processing' }, { kind: 'mine' }],
    ['complete', { owner: 'me', status: 'completed' }, { kind: 'mine' }],
    ['fail', { owner: 'me', status: 'failed' }, { kind: 'mine' }],
    ['release', undefined, { kind: 'mine' }],
    ['complete', { owner: 'other', status: 'processing' }, { kind: 'lost', owner: 'other' }],
    ['release', { owner: 'other', status: 'processing' }, { kind: 'lost', owner: 'other' }],
    ['release', { owner: 'me', status: 'completed' }, { kind: 'lost', owner: 'me' }],
    ['fail', undefined, { kind: 'lost', owner: undefined }],
    ['claim', undefined, { kind: 'lost', owner: undefined }],
  ] as const)('%s refused with %o is %o', (transition, item, verdict) => {
    expect(conditionFailure(transition, refused(item), 'me')).toEqual(verdict);
  });

  test('a claim refused by another record says what exists there', () => {
    const item = { id: target.id, owner: 'other', status: 'completed', result: '"r"' };
    expect(conditionFailure('claim', refused(item), 'me')).toEqual({ kind: 'exists', record: item });
    expect(judge('claim', item, 'me')).toEqual({ kind: 'exists', record: item });
  });

  test('an error that is not a refused condition is not decoded', () => {
    expect(
      conditionFailure('complete', Object.assign(new Error('x'), { name: 'ThrottlingException' }), 'me'),
    ).toBe(undefined);
  });
});
