import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type AnyClient = DynamoDBClient | DynamoDBDocumentClient;

/** The IAM action of each operation whose request names its one table in `TableName`. */
const SINGLE_TABLE_ACTIONS: Readonly<Record<string, string>> = {
  GetItem: 'dynamodb:GetItem',
  PutItem: 'dynamodb:PutItem',
  UpdateItem: 'dynamodb:UpdateItem',
  DeleteItem: 'dynamodb:DeleteItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
};

/** The IAM action of each operation whose request names its tables as the keys of `RequestItems`. */
const MULTI_TABLE_ACTIONS: Readonly<Record<string, string>> = {
  BatchGetItem: 'dynamodb:BatchGetItem',
  BatchWriteItem: 'dynamodb:BatchWriteItem',
};

/**
 * The IAM action of each kind of item in `TransactWriteItems` and `TransactGetItems`: IAM authorizes
 * a transaction item by item, with the action of the single-item operation it stands for.
 */
const TRANSACTION_ITEM_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

/** What {@link recordTableActions} hands back. */
export interface TableActionRecorder {
  /** The IAM actions requested on `tableName`, sorted, each once. */
  actionsOn(tableName: string): string[];
  /** Every table any request named, sorted. */
  tables(): string[];
  /** Requests sent, by low-level operation name (`UpdateItem`, `TransactWriteItems`, ...). */
  readonly operations: ReadonlyMap<string, number>;
  /** Operations (or transaction items) this recorder cannot map to an IAM action: must stay empty. */
  readonly unmapped: readonly string[];
  /** Removes the middleware. */
  remove(): void;
}

/**
 * Records the IAM actions every request of a DynamoDB client needs, per table: a middleware inside
 * the SDK's retry loop sees each HTTP attempt (a request IAM would authorize, whether its condition
 * then holds or not) and maps it to the actions IAM checks: `GetItem` to `dynamodb:GetItem`,
 * `BatchGetItem` to `dynamodb:BatchGetItem` on each table of `RequestItems`, and each item of a
 * `TransactWriteItems` to its own action (`Update` to `dynamodb:UpdateItem`, `Put` to
 * `dynamodb:PutItem`, `ConditionCheck` to `dynamodb:ConditionCheckItem`, `Delete` to
 * `dynamodb:DeleteItem`) on the table it names.
 *
 * @example
 * ```ts
 * const recorder = recordTableActions(doc);
 * await handler.process(event);
 * expect(recorder.actionsOn(essayTable)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
 * ```
 */
export function recordTableActions(client: AnyClient): TableActionRecorder {
  const byTable = new Map<string, Set<string>>();
  const operations = new Map<string, number>();
  const unmapped: string[] = [];
  const name = `tableActions-${Math.random().toString(36).slice(2)}`;
  const note = (table: unknown, action: string) => {
    const key = typeof table === 'string' ? table : '(no table)';
    const actions = byTable.get(key) ?? new Set<string>();
    actions.add(action);
    byTable.set(key, actions);
  };
  client.middlewareStack.addRelativeTo(
    // biome-ignore lint/suspicious/noExplicitAny: the middleware stack's generic types are not exported usefully.
    (next: any, context: any) => async (args: any) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = (args.input ?? {}) as Record<string, unknown>;
      operations.set(operation, (operations.get(operation) ?? 0) + 1);
      const single = SINGLE_TABLE_ACTIONS[operation];
      const multi = MULTI_TABLE_ACTIONS[operation];
      if (single !== undefined) {
        note(input.TableName, single);
      } else if (multi !== undefined) {
        for (const table of Object.keys((input.RequestItems ?? {}) as object)) note(table, multi);
      } else if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
        for (const item of (input.TransactItems ?? []) as Record<string, { TableName?: unknown }>[]) {
          for (const [kind, body] of Object.entries(item)) {
            const action = TRANSACTION_ITEM_ACTIONS[kind];
            if (action === undefined) unmapped.push(`${operation}.${kind}`);
            else note(body?.TableName, action);
          }
        }
      } else {
        unmapped.push(operation);
      }
      return next(args);
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name, override: true },
  );
  return {
    actionsOn: (tableName) => [...(byTable.get(tableName) ?? [])].sort(),
    tables: () => [...byTable.keys()].sort(),
    operations,
    unmapped,
    remove: () => client.middlewareStack.remove(name),
  };
}
