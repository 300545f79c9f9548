import { shortKey } from '../../../scripts/lib/cli';
import { releaseRecord } from '../../../scripts/lib/records';
import {
  type Claim,
  type IdempotencyKey,
  type IdempotencyRecord,
  IdempotencyStore,
  sha256Hex,
} from '../../../shared/internal';
import { clients, freshIdempotencyTable, testEndpoint } from '../../helpers/dynamo';
import { readRecord } from '../../helpers/layer';
import { lastJsonLine, runScript } from './run-script';

const TYPE = 'test.thing.happened.v1';

function key(name: string): IdempotencyKey {
  const hash = sha256Hex(name);
  return { id: `idem:v1:svc:${TYPE}:${hash}`, payloadHash: hash, eventType: TYPE };
}

async function claimed(store: IdempotencyStore, name: string, leaseMs: number): Promise<Claim> {
  const result = await store.claim(key(name), { leaseMs, ttlSeconds: 3600, context: { service: 'svc' } });
  if (result.kind !== 'claimed') throw new Error(`expected to claim ${name}, found ${result.record.status}`);
  return result.claim;
}

describe('npm run records', () => {
  test('--json lists the records; --release frees a stuck record only once its lease is over', async () => {
    // GIVEN a record stuck in processing (its worker died 2 minutes ago), one whose lease still
    // runs, and a completed one
    const { raw, doc } = clients();
    const table = await freshIdempotencyTable(raw, 'records');
    const twoMinutesAgo = new IdempotencyStore({
      tableName: table,
      client: doc,
      clock: { now: () => Date.now() - 120_000 },
    });
    const now = new IdempotencyStore({ tableName: table, client: doc });
    const stuck = await claimed(twoMinutesAgo, 'stuck', 30_000);
    const held = await claimed(now, 'held', 600_000);
    await now.complete(await claimed(now, 'done', 30_000), { ok: true });
    const cli = ['--table', table, '--endpoint', testEndpoint()];

    // WHEN the records are listed as JSON
    const listing = await runScript('records', ['--json', ...cli], {});

    // THEN all three appear with their states
    expect(listing.code).toBe(0);
    const listed = JSON.parse(listing.stdout) as IdempotencyRecord[];
    expect(Object.fromEntries(listed.map((r) => [r.id, r.status]))).toEqual({
      [key('stuck').id]: 'processing',
      [key('held').id]: 'processing',
      [key('done').id]: 'completed',
    });

    // WHEN the stuck record is released by its shortened key
    const release = await runScript('records', ['--release', shortKey(stuck.key.id), '--json', ...cli], {});

    // THEN it is gone, and the next delivery could claim it
    expect(release.code).toBe(0);
    expect(lastJsonLine(release.stdout)).toMatchObject({ released: true, key: stuck.key.id });
    expect(await readRecord(doc, table, stuck.key.id)).toBeUndefined();

    // WHEN the record whose lease still runs is released
    const refused = await runScript('records', ['--release', held.key.id, '--json', ...cli], {});

    // THEN it is refused with the reason, and the record stays with its owner
    expect(refused.code).toBe(1);
    expect(lastJsonLine(refused.stdout)).toMatchObject({
      released: false,
      reason: expect.stringMatching(/holds its lease until .*--force/),
    });
    expect((await readRecord(doc, table, held.key.id))?.owner).toBe(held.owner);
  }, 60_000);

  test('a completed record is never released, forced or not', async () => {
    const { raw, doc } = clients();
    const table = await freshIdempotencyTable(raw, 'records');
    const store = new IdempotencyStore({ tableName: table, client: doc });
    const claim = await claimed(store, 'done', 30_000);
    await store.complete(claim, { ok: true });

    const result = await releaseRecord(doc, table, claim.key.id, { force: true });

    expect(result).toMatchObject({
      released: false,
      reason: expect.stringMatching(/is completed, not processing/),
    });
    expect((await readRecord(doc, table, claim.key.id))?.status).toBe('completed');
  });

  test('the release is fenced: a takeover between the read and the delete wins', async () => {
    // GIVEN a record whose lease is over, and a worker that takes it over right after the tool read it
    const { raw, doc } = clients();
    const table = await freshIdempotencyTable(raw, 'records');
    const past = new IdempotencyStore({
      tableName: table,
      client: doc,
      clock: { now: () => Date.now() - 120_000 },
    });
    const stuck = await claimed(past, 'stuck', 30_000);
    const other = clients();
    const worker = new IdempotencyStore({ tableName: table, client: other.doc });
    let takeover: Claim | undefined;
    const name = 'takeover-before-delete';
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^DeleteItem(Command)?$/.test(String(context.commandName)) && takeover === undefined) {
          takeover = await claimed(worker, 'stuck', 600_000);
        }
        return next(args);
      },
      { step: 'initialize', name },
    );

    try {
      // WHEN the tool releases it
      const result = await releaseRecord(doc, table, stuck.key.id);

      // THEN the delete failed its condition and the new owner keeps the record
      expect(takeover?.takeover).toBe(true);
      expect(result).toMatchObject({
        released: false,
        reason: expect.stringMatching(/changed after it was read/),
      });
      const record = await readRecord(doc, table, stuck.key.id);
      expect(record?.owner).toBe(takeover?.owner);
      expect(record?.status).toBe('processing');
    } finally {
      doc.middlewareStack.remove(name);
    }
  });
});
