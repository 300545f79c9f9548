/**
 * An HTTP proxy in front of a DynamoDB endpoint that sees every request a function makes (its own,
 * unmodified SDK clients, configured only through `DYNAMODB_ENDPOINT`) and can fail chosen ones the
 * way an unavailable DynamoDB does. Faults injected here go through the real handler wiring and the
 * SDK's real retry strategy, with no access to the function's clients.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request seen by the proxy. */
export interface ProxiedRequest {
  /** DynamoDB operation, from the `X-Amz-Target` header: `PutItem`, `TransactWriteItems`, ... */
  readonly operation: string;
  /** Tables named anywhere in the request body. */
  readonly tables: readonly string[];
  /** The raw JSON body. */
  readonly body: string;
  /** HTTP status returned to the client (`503` when the proxy failed it). */
  status: number;
  /** `true` when the proxy failed this request instead of forwarding it. */
  readonly injected: boolean;
}

/** A running proxy; see {@link startDynamoProxy}. */
export interface DynamoProxy {
  /** Endpoint to give the function (`DYNAMODB_ENDPOINT`). */
  readonly endpoint: string;
  /** Every request seen, in order. */
  readonly requests: ProxiedRequest[];
  /**
   * Fails every request the predicate selects with `503 ServiceUnavailable` (the SDK retries it,
   * then gives up), until called again; `undefined` stops failing.
   */
  failWhen(
    predicate: ((request: Pick<ProxiedRequest, 'operation' | 'tables' | 'body'>) => boolean) | undefined,
  ): void;
  /** Stops the proxy and drops its connections. */
  close(): Promise<void>;
}

function tablesOf(body: string): string[] {
  const names = new Set<string>();
  for (const match of body.matchAll(/"TableName"\s*:\s*"([^"]+)"/g)) if (match[1]) names.add(match[1]);
  // BatchGetItem names its tables as keys of RequestItems.
  try {
    const parsed = JSON.parse(body) as { RequestItems?: Record<string, unknown> };
    for (const name of Object.keys(parsed.RequestItems ?? {})) names.add(name);
  } catch {
    // Not JSON: no tables.
  }
  return [...names];
}

/**
 * Starts a proxy on a free loopback port that forwards to `target`.
 *
 * @example
 * ```ts
 * const proxy = await startDynamoProxy(ddb.endpoint);
 * process.env.DYNAMODB_ENDPOINT = proxy.endpoint;
 * proxy.failWhen((r) => r.operation === 'PutItem' && r.body.includes('"ESSAY#E-6"'));
 * ```
 */
export async function startDynamoProxy(target: string): Promise<DynamoProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  let predicate: Parameters<DynamoProxy['failWhen']>[0];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const targetHeader = String(req.headers['x-amz-target'] ?? '');
      const operation = targetHeader.split('.').at(-1) ?? '';
      const seen = { operation, tables: tablesOf(body), body };
      if (predicate?.(seen)) {
        requests.push({ ...seen, status: 503, injected: true });
        res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
            message: `DynamoDB is unavailable (injected by the demo proxy on ${operation})`,
          }),
        );
        return;
      }
      const entry: ProxiedRequest = { ...seen, status: 0, injected: false };
      requests.push(entry);
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      const forward = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
        (upstreamRes) => {
          entry.status = upstreamRes.statusCode ?? 0;
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on('error', (error) => {
        entry.status = 502;
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: ${error.message}`);
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    failWhen(next) {
      predicate = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
