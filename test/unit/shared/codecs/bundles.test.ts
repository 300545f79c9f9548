import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { DEAD_LETTER_CHUNK, FUNCTION_ESBUILD_OPTIONS } from '../../../../infra/lib/bundling';
import { REPO_ROOT } from '../../../../scripts/lib/local';

/** The inputs esbuild bundles for an entry, built as the CDK app builds a function. */
async function bundledPackages(
  entry: { readonly path: string } | { readonly contents: string },
): Promise<string[]> {
  const result = await build({
    ...('path' in entry
      ? { entryPoints: [join(REPO_ROOT, entry.path)] }
      : { stdin: { contents: entry.contents, resolveDir: REPO_ROOT, loader: 'ts' as const } }),
    ...FUNCTION_ESBUILD_OPTIONS,
    mainFields: [...FUNCTION_ESBUILD_OPTIONS.mainFields],
    external: [...FUNCTION_ESBUILD_OPTIONS.external],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const packages = Object.keys(result.metafile.inputs).map(
    (input) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1],
  );
  return [...new Set(packages.filter((p): p is string => p !== undefined))];
}

const consumerOf = (codec: string, imports = '') => `
  import { defineConsumer } from './shared';
  ${imports}
  export const handler = defineConsumer(
    { service: 's', id: 'S', topics: ['t'], mode: 'two-phase', tables: {}, codec: ${codec} },
    () => ({ t: async () => 1 }),
    ${imports ? '{ codec: CODEC }' : '{}'},
  ).handler;`;

describe('a consumer bundles a decoding library only when its codec needs it', () => {
  it.each([
    ['the envelope consumer spellchecker', { path: 'functions/spellchecker/handler.ts' }],
    ['a CloudEvents consumer', { contents: consumerOf("{ kind: 'cloudevents' }") }],
    [
      'a JSON consumer',
      { contents: consumerOf("{ kind: 'json', type: { from: 'header', name: 'event-type' } }") },
    ],
  ])('%s bundles neither avsc nor protobufjs', async (_name, entry) => {
    const packages = await bundledPackages(entry);
    expect(packages).toContain('@aws-sdk/lib-dynamodb'); // the bundle is real
    expect(packages).not.toContain('avsc');
    expect(packages).not.toContain('protobufjs');
  });

  it('the Avro consumer essay-feedback bundles avsc and not protobufjs', async () => {
    const packages = await bundledPackages({ path: 'functions/essay-feedback/handler.ts' });
    expect(packages).toContain('avsc');
    expect(packages).not.toContain('protobufjs');
  });

  it('a Protobuf consumer bundles protobufjs and not avsc', async () => {
    const imports = `import { protobufCodec } from './shared/codecs/protobuf';
      const CODEC = protobufCodec({ wire: 'raw', proto: 'syntax = "proto3"; message M { string a = 1; }', messageType: 'M' });`;
    const packages = await bundledPackages({
      contents: consumerOf("{ kind: 'protobuf', wire: 'raw' }", imports),
    });
    expect(packages).toContain('protobufjs');
    expect(packages).not.toContain('avsc');
  });
});

describe('the dead-letter path stays out of a consumer’s bundle', () => {
  it.each([
    'functions/spellchecker/handler.ts',
    'functions/essay-lifecycle/handler.ts',
  ])('%s bundles neither the SQS nor the S3 client', async (path) => {
    const packages = await bundledPackages({ path });
    expect(packages).toContain('@aws-sdk/client-dynamodb'); // the bundle is real
    expect(packages).not.toContain('@aws-sdk/client-sqs');
    expect(packages).not.toContain('@aws-sdk/client-s3');
  });

  it('the chunk the bundle requires is the module that holds the SQS sink', async () => {
    const packages = await bundledPackages({ path: relative(REPO_ROOT, DEAD_LETTER_CHUNK.entry) });
    expect(packages).toEqual(expect.arrayContaining(['@aws-sdk/client-sqs', '@aws-sdk/client-s3']));
    // shared/dead-letter.ts requires the chunk by the path the bundle keeps external.
    expect(readFileSync(join(REPO_ROOT, 'shared', 'dead-letter.ts'), 'utf8')).toContain(
      `require('${DEAD_LETTER_CHUNK.importPath}')`,
    );
    expect(DEAD_LETTER_CHUNK.entry).toBe(
      join(REPO_ROOT, 'shared', `${DEAD_LETTER_CHUNK.importPath.slice(2)}.ts`),
    );
  });
});
