/**
 * A TCP gate between the workers and DynamoDB Local, so that an outage starts with the network:
 * cutting it resets every open connection and refuses new ones (what a worker sees when the store
 * is unreachable), while the engine behind it can be stopped and restarted on the same port.
 *
 * Why not just stop the engine under load: a DynamoDB Local stopped while writes are flowing can
 * lose a `TransactWriteItems` it already acknowledged (found by the chaos run; reproduced with a
 * bare client: after a SIGKILL right after an acknowledgment, in 5 of 12 trials, and after SIGTERM
 * in 1 of 12). Real DynamoDB never un-commits an acknowledged write, and no idempotency layer can
 * defend against that, so the gate quiets the engine before it is stopped.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * The gate: listens on its own port and relays to the engine's.
 *
 * @example
 * ```ts
 * const gate = await NetworkGate.open(engine.port);
 * const endpoint = `http://127.0.0.1:${gate.port}`;
 * gate.cut();              // every connection reset, new ones refused
 * await gate.restore();    // open again
 * ```
 */
export class NetworkGate {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  /** Connections reset by {@link NetworkGate.cut}. */
  resets = 0;

  private constructor(
    private readonly upstreamPort: number,
    readonly port: number,
  ) {}

  /** Opens a gate to the engine's port on a free local port. */
  static async open(upstreamPort: number): Promise<NetworkGate> {
    const probe = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const gate = new NetworkGate(upstreamPort, port);
    await gate.restore();
    return gate;
  }

  /** `true` while connections are relayed. */
  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Stops listening (new connections are refused) and resets every open connection. */
  cut(): void {
    this.server?.close();
    this.server = undefined;
    for (const socket of this.sockets) {
      socket.resetAndDestroy();
      this.resets += 1;
    }
    this.sockets.clear();
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(this.upstreamPort, '127.0.0.1');
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Closes the gate for good. */
  close(): void {
    this.cut();
  }
}
