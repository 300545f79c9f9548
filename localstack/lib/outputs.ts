import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { functionNameOutputKey, STACK_NAMES, STACK_OUTPUTS } from '../../infra/stack-outputs';

/**
 * Where `localstack:deploy` writes the stack outputs (`cdklocal deploy --outputs-file`).
 *
 * @example
 * ```ts
 * const outputs = await readStackOutputs(DEFAULT_OUTPUTS_FILE);
 * ```
 */
export const DEFAULT_OUTPUTS_FILE = path.join(__dirname, '..', '..', '.local', 'localstack', 'outputs.json');

/**
 * The LocalStack stack's outputs, by output key.
 *
 * @example
 * ```ts
 * const outputs: StackOutputs = { IdempotencyTableName: 'KafkaEffectivelyOnceLocal-IdempotencyTable-1' };
 * ```
 */
export type StackOutputs = Readonly<Record<string, string>>;

/**
 * Reads the outputs `cdklocal deploy --outputs-file` wrote for the LocalStack stack. Throws an
 * `Error` that says to deploy first when the file or the stack is missing.
 *
 * @example
 * ```ts
 * const outputs = await readStackOutputs(DEFAULT_OUTPUTS_FILE);
 * ```
 */
export async function readStackOutputs(
  file: string,
  stackName: string = STACK_NAMES.localstack,
): Promise<StackOutputs> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`No stack outputs at ${file}: run \`npm run localstack:deploy\` first.`, {
      cause: error,
    });
  }
  const all = JSON.parse(text) as Record<string, Record<string, unknown> | undefined>;
  const outputs = all[stackName];
  if (!outputs) {
    throw new Error(
      `${file} has no outputs of stack ${stackName} (found: ${Object.keys(all).join(', ') || 'none'}).`,
    );
  }
  return Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, String(value)]));
}

/**
 * The deployed function of a consumer (`essay-lifecycle`), or `target` itself when it is not a
 * consumer name in the outputs (then it is taken as a function name).
 *
 * @example
 * ```ts
 * functionNameFor(outputs, 'spellchecker'); // 'KafkaEffectivelyOnceLocal-SpellcheckerFunction…'
 * ```
 */
export function functionNameFor(outputs: StackOutputs, target: string): string {
  let key: string | undefined;
  try {
    key = functionNameOutputKey(target);
  } catch {
    key = undefined;
  }
  return (key !== undefined ? outputs[key] : undefined) ?? target;
}

/**
 * The idempotency table's name from the outputs.
 *
 * @example
 * ```ts
 * const table = idempotencyTableName(outputs);
 * ```
 */
export function idempotencyTableName(outputs: StackOutputs): string {
  const name = outputs[STACK_OUTPUTS.idempotencyTableName];
  if (!name) throw new Error(`The stack outputs lack ${STACK_OUTPUTS.idempotencyTableName}: redeploy.`);
  return name;
}
