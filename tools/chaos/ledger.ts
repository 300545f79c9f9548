/**
 * The ground truth of a two-phase consumer's effects, independent of the idempotency layer: the
 * consumer's client is wrapped so that every effect write (a `PutCommand` to its own table) is sent
 * as one transaction together with a ledger item `{ pk: <essay id>, sk: <execution uuid> }`. The
 * effect and its ledger line therefore exist together or not at all, and the transaction's
 * `ClientRequestToken` (the execution uuid) makes the SDK's retries of one execution count once.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** Options of {@link withLedger}. */
export interface LedgerOptions {
  /** The consumer's own table: a `PutCommand` to it is an effect. */
  readonly businessTable: string;
  /** The ledger table (`pk` + `sk`). */
  readonly ledgerTable: string;
  /** The effect's identity, from the item written (the essay id); `undefined` leaves it unledgered. */
  readonly identify: (item: Record<string, unknown>) => string | undefined;
  /** Attributes recorded with each execution (delivery, worker). */
  readonly context: () => Record<string, string | number>;
  /** Called for an effect write that could not be identified (it is sent as it was). */
  readonly onUnledgered?: (item: Record<string, unknown>) => void;
}

type Send = (command: unknown, ...rest: unknown[]) => Promise<unknown>;

/**
 * Wraps a document client so that each effect `PutCommand` to the business table is committed in
 * one transaction with its ledger item. Every other command goes through unchanged.
 *
 * @example
 * ```ts
 * const client = withLedger(doc, { businessTable: 'spellchecks', ledgerTable: 'chaos-ledger', identify: (item) => String(item.essay_id), context: () => ({ pid: process.pid }) });
 * createHandler(config, { client });
 * ```
 */
export function withLedger(client: DynamoDBDocumentClient, options: LedgerOptions): DynamoDBDocumentClient {
  const send = client.send.bind(client) as Send;
  const ledgered = async (command: PutCommand): Promise<unknown> => {
    const { Item, TableName, ...conditions } = command.input;
    const item = Item ?? {};
    const identity = options.identify(item);
    if (identity === undefined) {
      options.onUnledgered?.(item);
      return send(command);
    }
    const execId = randomUUID();
    const { ReturnValues: _ignored, ...put } = conditions;
    try {
      const output = (await send(
        new TransactWriteCommand({
          ClientRequestToken: execId,
          TransactItems: [
            { Put: { TableName, Item: item, ...put } },
            {
              Put: {
                TableName: options.ledgerTable,
                Item: { pk: identity, sk: execId, at: Date.now(), ...options.context() },
              },
            },
          ],
        }),
      )) as { $metadata?: unknown };
      return { $metadata: output.$metadata ?? {} };
    } catch (error) {
      const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] })
        .CancellationReasons;
      if (
        (error as { name?: string }).name === 'TransactionCanceledException' &&
        reasons?.[0]?.Code === 'ConditionalCheckFailed'
      ) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
        });
      }
      throw error;
    }
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (command: unknown, ...rest: unknown[]) =>
        command instanceof PutCommand && command.input.TableName === options.businessTable
          ? ledgered(command)
          : send(command, ...rest);
    },
  });
}
