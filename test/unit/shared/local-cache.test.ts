import { type IdempotencyRecord, RecordStatus } from '../../../shared/internal';
import { LocalRecordCache } from '../../../shared/local-cache';

const NOW = 1_700_000_000_000;

function record(id: string, status: RecordStatus, expiration = NOW / 1000 + 60): IdempotencyRecord {
  return {
    id,
    status,
    owner: 'o',
    expiration,
    payload_hash: 'h',
    result: JSON.stringify({ tags: ['a'] }),
    service: 'svc',
    event_type: 't',
    attempts: 1,
    claimed_at: NOW,
  };
}

describe('LocalRecordCache', () => {
  const clock = { now: () => NOW };

  test('keeps completed and failed records, never processing ones', () => {
    const cache = new LocalRecordCache(10, clock);
    cache.remember(record('c', RecordStatus.COMPLETED));
    cache.remember(record('f', RecordStatus.FAILED));
    cache.remember(record('p', RecordStatus.PROCESSING));
    expect(cache.recall('c')?.status).toBe(RecordStatus.COMPLETED);
    expect(cache.recall('f')?.status).toBe(RecordStatus.FAILED);
    expect(cache.recall('p')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  test('an entry past its expiration is dropped, one at its expiration second is still used', () => {
    const cache = new LocalRecordCache(10, clock);
    cache.remember(record('live', RecordStatus.COMPLETED, NOW / 1000));
    cache.remember(record('gone', RecordStatus.COMPLETED, NOW / 1000 - 1));
    expect(cache.recall('live')).toBeDefined();
    expect(cache.recall('gone')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  test('the bound holds, the least recently used evicted first', () => {
    const cache = new LocalRecordCache(3, clock);
    for (const id of ['a', 'b', 'c']) cache.remember(record(id, RecordStatus.COMPLETED));
    expect(cache.recall('a')).toBeDefined(); // a is now the most recent
    cache.remember(record('d', RecordStatus.COMPLETED)); // evicts b
    expect(cache.size).toBe(3);
    expect(cache.recall('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((id) => cache.recall(id)?.id)).toEqual(['a', 'c', 'd']);
    for (let i = 0; i < 100; i++) cache.remember(record(`x${i}`, RecordStatus.COMPLETED));
    expect(cache.size).toBe(3);
  });

  test('0 is off: nothing is kept', () => {
    const cache = new LocalRecordCache(0, clock);
    cache.remember(record('c', RecordStatus.COMPLETED));
    expect(cache.recall('c')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('copies in and out: mutating what went in or came out changes nothing kept', () => {
    const cache = new LocalRecordCache(10, clock);
    const given = { ...record('c', RecordStatus.FAILED), error: { name: 'E', message: 'm' } };
    cache.remember(given);
    (given.error as { message: string }).message = 'changed';
    const out = cache.recall('c');
    expect(out?.error?.message).toBe('m');
    (out?.error as { message: string }).message = 'changed too';
    expect(cache.recall('c')?.error?.message).toBe('m');
  });
});
