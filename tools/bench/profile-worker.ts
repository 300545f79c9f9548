/**
 * The child process of the CPU profile (`tools/bench/profile.ts` bundles it unminified and runs it
 * under `node --cpu-prof`): decode + key of the 1 KB sample value in a loop for argv[2] ms.
 */
import { computeKey, DEFAULT_KEY_PREFIX, decodeEvent } from '../../shared/internal';
import { sampleValue } from './cpu';

const durationMs = Number(process.argv[2] ?? '2000');
const raw = sampleValue(Number(process.argv[3] ?? '1024'));
const keyOptions = { prefix: DEFAULT_KEY_PREFIX, service: 'bench', strategy: 'content' as const };
let sink = 0;
let calls = 0;
const until = performance.now() + durationMs;
while (performance.now() < until) {
  for (let i = 0; i < 100; i++) sink += computeKey(decodeEvent(raw), keyOptions).id.length;
  calls += 100;
}
process.stdout.write(`${JSON.stringify({ calls, sink })}\n`);
