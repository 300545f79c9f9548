import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildFunction } from '../../../infra/lib/bundling';
import { REPO_ROOT } from '../../../scripts/lib/local';

/**
 * The dead-letter path of a bundle built as the construct builds one: the SQS sink is a second file
 * (`DEAD_LETTER_CHUNK`), loaded on the first dead letter, not at cold start. The bundle here is
 * `shared/dead-letter.ts` itself as the entry, run in a fresh `node` as Lambda runs a bundle; the
 * queue is a loopback HTTP listener that records what the SQS client sends and refuses it.
 */

/** Not spawnSync: the queue listener answers from this process's event loop meanwhile. */
const execNode = promisify(execFile);

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let dir: string;
let bundle: string;
let chunk: string;
let server: Server;
let endpoint: string;
const received: Received[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dead-letter-chunk-'));
  ({ outfile: bundle, chunk } = await buildFunction(join(REPO_ROOT, 'shared', 'dead-letter.ts'), dir));
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (part: Buffer) => {
      body += part.toString('utf8');
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAddress', message: 'refused by the test' }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

/** Loads the bundle in a fresh node, sends one dead letter, reports what was loaded when. */
async function sendOne(): Promise<{ loadedAtStart: boolean; loadedAfterSend: boolean; error: string }> {
  const script = `
    const chunkLoaded = () => Object.keys(require.cache).some((k) => k.endsWith('dead-letter-sqs.js'));
    const { deadLetterSinkFor } = require(${JSON.stringify(bundle)});
    const sink = deadLetterSinkFor(${JSON.stringify(`${endpoint}/000000000000/dead-letters`)}, { sqsEndpoint: ${JSON.stringify(endpoint)} });
    const loadedAtStart = chunkLoaded();
    const entry = { service: 'billing', idempotency_key: 'k', event_type: undefined, event_id: undefined,
      correlation_id: undefined, coordinates: { topic: 't', partition: 0, offset: 7 },
      error: { name: 'PermanentError', message: 'poison' }, record: { value: 'eA==' }, failed_at: '2026-12-02T00:00:00.000Z' };
    sink.send(entry).then(
      () => ({ error: '' }),
      (e) => ({ error: String(e && e.message) }),
    ).then(({ error }) => process.stdout.write(JSON.stringify({ loadedAtStart, loadedAfterSend: chunkLoaded(), error })));`;
  const { stdout } = await execNode(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-north-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
    },
  });
  return JSON.parse(stdout);
}

describe('the dead-letter chunk of a bundle', () => {
  it.each([
    'spellchecker',
    'essay-lifecycle',
    'essay-feedback',
  ])("the %s handler's bundle loads without it (no cold-start cost)", async (service) => {
    const out = join(dir, 'functions', service);
    const built = await buildFunction(join(REPO_ROOT, 'functions', service, 'handler.ts'), out);
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const h = require(${JSON.stringify(built.outfile)}).handler; process.stdout.write(JSON.stringify([typeof h, Object.keys(require.cache).filter((k) => k.includes('dead-letter-sqs'))]))`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-north-1' } },
    );
    expect(probe.stderr).toBe('');
    expect(JSON.parse(probe.stdout)).toEqual(['function', []]);
  }, 60_000);

  it('is loaded on the first dead letter, not at cold start, and sends it to SQS', async () => {
    received.length = 0;
    const result = await sendOne();
    expect(result.loadedAtStart).toBe(false);
    expect(result.loadedAfterSend).toBe(true);
    expect(result.error).toContain('refused by the test'); // the queue's answer, through the SDK
    expect(received.length).toBeGreaterThanOrEqual(1);
    const [first] = received;
    expect(first?.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
      QueueUrl: `${endpoint}/000000000000/dead-letters`,
      MessageAttributes: { service: { DataType: 'String', StringValue: 'billing' } },
    });
  }, 60_000);

  it('when missing, fails the send with what to do, and sends nothing', async () => {
    received.length = 0;
    rmSync(chunk);
    const result = await sendOne();
    expect(result.loadedAfterSend).toBe(false);
    expect(result.error).toContain('The SQS dead-letter sink (dead-letter-sqs.js) is not beside this bundle');
    expect(result.error).toContain('DEAD_LETTER_CHUNK');
    expect(received).toHaveLength(0);
  }, 60_000);
});
