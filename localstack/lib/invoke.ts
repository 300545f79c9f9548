import { readFile } from 'node:fs/promises';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { LOCALSTACK_CREDENTIALS } from './endpoint';

/**
 * Where and as whom the scripts talk to LocalStack.
 *
 * @example
 * ```ts
 * const target: LocalStackTarget = { endpoint: 'http://localhost:4566', region: 'us-east-1' };
 * ```
 */
export interface LocalStackTarget {
  /** Edge endpoint, e.g. `http://localhost:4566`. */
  readonly endpoint: string;
  /** Region the stack was deployed to. */
  readonly region: string;
}

/**
 * Reads an MSK event JSON file (the shape Lambda's Kafka event source mapping sends: `records`
 * keyed `"<topic>-<partition>"`, each an array of records). Returns the exact bytes to send, so
 * the function receives the file as written. Throws a `TypeError` naming the file otherwise.
 *
 * @example
 * ```ts
 * const event = await readMskEvent('events/spellcheck-requested.json');
 * ```
 */
export async function readMskEvent(
  file: string,
): Promise<{ readonly bytes: Uint8Array; readonly recordCount: number }> {
  const bytes = await readFile(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new TypeError(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const records = (parsed as { records?: unknown } | null)?.records;
  if (typeof records !== 'object' || records === null || Array.isArray(records)) {
    throw new TypeError(
      `${file} is not an MSK event: expected an object with "records" keyed "<topic>-<partition>"`,
    );
  }
  let recordCount = 0;
  for (const [key, batch] of Object.entries(records)) {
    if (!Array.isArray(batch)) {
      throw new TypeError(`${file} is not an MSK event: records["${key}"] must be an array of records`);
    }
    recordCount += batch.length;
  }
  return { bytes: new Uint8Array(bytes), recordCount };
}

/**
 * What a synchronous invocation returned.
 *
 * @example
 * ```ts
 * const { functionError, payload } = await invokeFunction(target, functionName, event.bytes);
 * ```
 */
export interface InvocationResult {
  /** HTTP status of the Invoke call (200 for a completed invocation, errors included). */
  readonly statusCode: number;
  /** `Unhandled` when the function threw; absent on success. */
  readonly functionError?: string;
  /** The handler's response (or error), parsed as JSON when it is JSON. */
  readonly payload: unknown;
  /** The last 4 KB of the invocation's log, decoded. */
  readonly logTail?: string;
}

/**
 * Invokes a deployed function synchronously (`RequestResponse`, log tail requested) with the
 * event bytes, through the Lambda API of the LocalStack at `target.endpoint`.
 *
 * @example
 * ```ts
 * const result = await invokeFunction(target, functionName, event.bytes);
 * ```
 */
export async function invokeFunction(
  target: LocalStackTarget,
  functionName: string,
  event: Uint8Array,
): Promise<InvocationResult> {
  const client = new LambdaClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: LOCALSTACK_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
        Payload: event,
      }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    return {
      statusCode: response.StatusCode ?? 0,
      payload: parseMaybeJson(text),
      ...(response.FunctionError ? { functionError: response.FunctionError } : {}),
      ...(response.LogResult ? { logTail: Buffer.from(response.LogResult, 'base64').toString('utf8') } : {}),
    };
  } finally {
    client.destroy();
  }
}

/**
 * Reads up to `limit` items of the idempotency table (a scan: fine for LocalStack's few items,
 * never for a real table), newest `updated_at`/`created_at` first when present.
 *
 * @example
 * ```ts
 * const records = await scanIdempotencyRecords(target, tableName, 20);
 * ```
 */
export async function scanIdempotencyRecords(
  target: LocalStackTarget,
  tableName: string,
  limit = 50,
): Promise<Record<string, unknown>[]> {
  const client = new DynamoDBClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: LOCALSTACK_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    const items: Record<string, unknown>[] = [];
    let startKey: ScanCommandStartKey;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: tableName, Limit: limit - items.length, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) items.push(unmarshall(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items.sort((a, b) => timestampOf(b) - timestampOf(a));
  } finally {
    client.destroy();
  }
}

type ScanCommandStartKey = ConstructorParameters<typeof ScanCommand>[0]['ExclusiveStartKey'];

function timestampOf(item: Record<string, unknown>): number {
  const value = item.updated_at ?? item.created_at;
  return typeof value === 'number' ? value : 0;
}

function parseMaybeJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Renders an invocation and the idempotency records for the terminal.
 *
 * @example
 * ```ts
 * console.log(formatReport({ functionName, recordCount: 3, result, records }));
 * ```
 */
export function formatReport(report: {
  readonly functionName: string;
  readonly recordCount: number;
  readonly result: InvocationResult;
  readonly records: readonly Record<string, unknown>[];
  readonly tableName: string;
}): string {
  const { result } = report;
  const lines = [
    `Invoked ${report.functionName} with ${report.recordCount} record(s): HTTP ${result.statusCode}` +
      (result.functionError ? `, function error: ${result.functionError}` : ', no function error'),
    '',
    'Response:',
    JSON.stringify(result.payload, null, 2),
  ];
  if (result.logTail) lines.push('', 'Log tail:', result.logTail.trimEnd());
  lines.push('', `Idempotency records in ${report.tableName} (${report.records.length}):`);
  for (const record of report.records) lines.push(JSON.stringify(record));
  return lines.join('\n');
}
