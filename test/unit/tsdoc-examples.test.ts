import { join } from 'node:path';
import { checkPublicExamples } from '../../tools/docs/examples';

/**
 * Every `@example` of the consumer author's surface compiles against that surface alone (the names
 * `shared/index.ts` exports, nothing internal): an example that drifts from the API, or that
 * teaches an internal call, fails here.
 */
const examples = checkPublicExamples(join(__dirname, '..', '..'));

test('the public surface documents its main names with examples', () => {
  const documented = new Set(examples.map((e) => e.where.split(' ')[0]));
  for (const name of [
    'defineConsumer',
    'createKafkaHandler',
    'Idempotency',
    'withWrites',
    'parseData',
    'decodeEvent',
  ]) {
    expect(documented).toContain(name);
  }
});

test.each(examples.map((e) => [e.where, e] as const))('the example of %s compiles', (_where, example) => {
  expect(example.errors).toEqual([]);
});
