/**
 * Invokes a function of the LocalStack stack with an MSK event JSON file, through the Lambda API,
 * and prints the response, the log tail and the idempotency records:
 *
 *   npm run localstack:invoke -- spellchecker events/spellcheck-requested.json
 *   npm run localstack:invoke -- essay-lifecycle my-event.json --records 10
 *
 * The first argument is a consumer name (looked up in the outputs `localstack:deploy` wrote) or a
 * function name. Environment: AWS_ENDPOINT_URL (default http://localhost:4566), AWS_REGION.
 * Exit code 1 when the function threw.
 */
import { parseArgs } from 'node:util';
import { resolveEndpoint, resolveRegion } from './lib/endpoint';
import { formatReport, invokeFunction, readMskEvent, scanIdempotencyRecords } from './lib/invoke';
import { DEFAULT_OUTPUTS_FILE, functionNameFor, idempotencyTableName, readStackOutputs } from './lib/outputs';

const USAGE =
  'Usage: npm run localstack:invoke -- <consumer|function-name> <msk-event.json> [--records N] [--outputs FILE]';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { records: { type: 'string' }, outputs: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [target, eventFile] = positionals;
  if (values.help || target === undefined || eventFile === undefined || positionals.length > 2) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const limit = values.records === undefined ? 50 : Number(values.records);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    console.error(`--records must be an integer from 1 to 1000, got "${values.records}". ${USAGE}`);
    return 2;
  }
  const localstack = { endpoint: resolveEndpoint(), region: resolveRegion() };
  const outputs = await readStackOutputs(values.outputs ?? DEFAULT_OUTPUTS_FILE);
  const functionName = functionNameFor(outputs, target);
  const tableName = idempotencyTableName(outputs);
  const event = await readMskEvent(eventFile);
  const result = await invokeFunction(localstack, functionName, event.bytes);
  const records = await scanIdempotencyRecords(localstack, tableName, limit);
  console.log(formatReport({ functionName, recordCount: event.recordCount, result, records, tableName }));
  return result.functionError ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
