import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { NetworkGate } from '../../../../tools/chaos/gate';
import { withLedger } from '../../../../tools/chaos/ledger';
import { Probe } from '../../../../tools/chaos/probe';
import type { Job } from '../../../../tools/chaos/protocol';
import { explainDuplicates, type OpenWindowFact } from '../../../../tools/chaos/report';
import { injectFaults } from '../../../../tools/testing/sdk-middleware';
import { scanAll } from '../../../../tools/testing/tables';
import { clients, freshConsumerTable, freshIdempotencyTable, testEndpoint } from '../../../helpers/dynamo';

/**
 * The chaos probe's window bookkeeping through the real SDK, the real ledger wrapper and the real
 * network gate, against DynamoDB Local: the open finding of the chaos run (a two-phase duplicate
 * effect no window explained) came from an effect whose first attempt was executed by the engine
 * while the gate was cut, and whose retries were then refused.
 */

let gate: NetworkGate;
let admin: ReturnType<typeof clients>;
let idempotencyTable: string;
let businessTable: string;
let ledgerTable: string;

beforeAll(async () => {
  admin = clients();
  idempotencyTable = await freshIdempotencyTable(admin.raw, 'probe-idem');
  businessTable = await freshConsumerTable(admin.raw, 'probe-business');
  ledgerTable = await freshConsumerTable(admin.raw, 'probe-ledger');
  gate = await NetworkGate.open(Number(new URL(testEndpoint()).port));
});

afterAll(() => {
  gate.close();
  admin.raw.destroy();
});

function job(businessId: string): Job {
  return {
    deliveryId: `delivery-${businessId}`,
    consumer: 'spellchecker',
    event: { eventSource: 'aws:kafka', eventSourceArn: 'arn', bootstrapServers: 'b', records: {} },
    records: [{ coordinates: 't-0@0', logicalId: 1, eventId: 'e-1', businessId }],
    deadline: Date.now() + 60_000,
    faults: {
      kill: undefined,
      throttleRate: 0,
      dropRate: 0,
      storm: undefined,
      slowEffectMs: undefined,
      seed: 1,
    },
  };
}

/**
 * A consumer's client as a chaos worker builds it: probe inside the SDK's retry loop, ledger around
 * it. `fault` decides per HTTP attempt, below the probe (nearer the wire), so the probe sees what
 * the attempt really returned.
 */
function consumerClient(fault: Parameters<typeof injectFaults>[1] = () => undefined) {
  const { raw, doc } = clients({ endpoint: `http://127.0.0.1:${gate.port}`, maxAttempts: 4 });
  const injector = injectFaults(doc, fault);
  const probe = new Probe({
    tables: { idempotency: idempotencyTable, business: [businessTable], ledger: ledgerTable },
    blackBoxPath: '/dev/null',
    clockOffsetMs: 0,
  });
  probe.attach(doc);
  const ledgered = withLedger(doc, {
    businessTable,
    ledgerTable,
    identify: (item) => (typeof item.essay_id === 'string' ? item.essay_id : undefined),
    context: () => ({ pid: process.pid }),
  });
  return { raw, probe, ledgered, injector };
}

it('keeps an effect open when its first attempt was executed and its retries were refused by a cut network', async () => {
  // GIVEN a consumer client whose first effect attempt is executed by the engine and then loses its
  // answer, after which the network to the engine is cut (every retry is refused for real)
  const { raw, probe, ledgered, injector } = consumerClient((attempt) => {
    if (attempt.seq === 1) return 'drop-response';
    gate.cut();
    return undefined;
  });
  probe.begin(job('essay-cut'));

  // WHEN the effect is written
  await expect(
    ledgered.send(
      new PutCommand({ TableName: businessTable, Item: { pk: 'essay-cut', sk: 'R', essay_id: 'essay-cut' } }),
    ),
  ).rejects.toThrow(/ECONNREFUSED|connect/);
  const stats = probe.end();
  expect(injector.attempts).toEqual([
    { operation: 'TransactWriteItems', fault: 'drop-response' },
    ...Array.from({ length: 3 }, () => ({ operation: 'TransactWriteItems', fault: undefined })),
  ]);
  await gate.restore();
  raw.destroy();

  // THEN the engine holds the execution, and the probe reports it as an open window
  const ledger = (await scanAll(admin.doc, ledgerTable)).filter((i) => i.pk === 'essay-cut');
  expect(ledger).toHaveLength(1);
  const execId = String(ledger[0]?.sk);
  expect(stats.openWindows).toEqual([
    expect.objectContaining({ logicalId: 1, execId, completionInFlight: false }),
  ]);

  // AND a second execution that completes is a duplicate the audit explains by that window
  const windows = new Map<string, OpenWindowFact>(
    stats.openWindows.map((w) => [
      w.execId,
      { ...w, cause: 'effect-unanswered', effectCommitted: w.effect === 'committed' },
    ]),
  );
  const explanation = explainDuplicates(new Map([[1, [execId, 'second-execution']]]), windows);
  expect(explanation).toMatchObject({ duplicates: 1, unexplained: 0 });
});

it('reports no window for an effect every attempt of which was refused', async () => {
  // GIVEN a network cut before the effect's first attempt
  const { raw, probe, ledgered, injector } = consumerClient();
  probe.begin(job('essay-refused'));
  gate.cut();

  // WHEN the effect is written
  await expect(
    ledgered.send(
      new PutCommand({
        TableName: businessTable,
        Item: { pk: 'essay-refused', sk: 'R', essay_id: 'essay-refused' },
      }),
    ),
  ).rejects.toThrow(/ECONNREFUSED|connect/);
  const stats = probe.end();
  expect(injector.attempts.map((a) => a.operation)).toEqual(Array(4).fill('TransactWriteItems'));
  await gate.restore();
  raw.destroy();

  // THEN nothing was written and no window is open
  expect((await scanAll(admin.doc, ledgerTable)).filter((i) => i.pk === 'essay-refused')).toEqual([]);
  expect(stats.openWindows).toEqual([]);
});
