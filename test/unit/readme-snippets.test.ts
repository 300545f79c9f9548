import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every snippet the README marks with `<!-- snippet: <path> -->` is exactly that file, which
 * `npm run typecheck` compiles (examples/ is in tsconfig's include): a snippet that drifts from
 * its file, or a file that stops compiling, fails here or there.
 */
const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SNIPPETS = [...README.matchAll(/<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)```\n/g)].map(
  (m) => [m[1] ?? '', m[2] ?? ''] as const,
);

test('the README has its API snippets, each marked with the file it copies', () => {
  expect(SNIPPETS.map(([path]) => path)).toEqual([
    'examples/formats/cloudevents.ts',
    'examples/formats/json.ts',
    'examples/formats/avro.ts',
    'examples/formats/protobuf.ts',
    'examples/billing/manifest.ts',
    'examples/billing/handler.ts',
    'examples/direct-handler.ts',
  ]);
});

test.each(SNIPPETS)('the snippet of %s is the file, byte for byte', (path, snippet) => {
  expect(snippet).toBe(readFileSync(join(ROOT, path), 'utf8'));
});
