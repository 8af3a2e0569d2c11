import { createServer, type Server } from 'node:net';
import type { Broker } from '../Broker.js';
import { FaultPlan } from '../faults.js';
import type { RequestRecord } from '../TestBroker.js';
import { Connection } from './Connection.js';

/** How many requests {@link BrokerServer.requests} keeps (the oldest go first). */
const KEPT_REQUESTS = 10_000;

/**
 * The TCP side of the test broker: a `node:net` server whose connections speak the Kafka
 * protocol to the {@link Broker}. Closing it closes every connection and cancels every timer,
 * so that nothing of the broker keeps a process alive.
 * @internal
 */
export class BrokerServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  readonly faults: FaultPlan;
  /** The latest requests, oldest first. */
  readonly requests: RequestRecord[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly log: (line: string) => void,
  ) {
    this.faults = new FaultPlan(() => this.dropAll());
    this.server = createServer((socket) => {
      if (this.closing !== null) {
        socket.destroy();
        return;
      }
      const record = (request: RequestRecord): void => {
        if (this.requests.push(request) > KEPT_REQUESTS) this.requests.shift();
      };
      this.connections.add(new Connection(socket, broker, this.faults, log, (c) => this.connections.delete(c), record));
    });
  }

  /** Listens; resolves with the port (the one asked for, or the one the system picked for 0). */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (e: Error): void => reject(e);
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        const address = this.server.address();
        this.broker.port = typeof address === 'object' && address !== null ? address.port : port;
        this.log(`listening on ${host}:${this.broker.port}`);
        resolve(this.broker.port);
      });
    });
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  private dropAll(): number {
    const n = this.connections.size;
    for (const c of [...this.connections]) c.close();
    if (n > 0) this.log(`fault: dropped ${n} connections`);
    return n;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => void this.broker.clock.closeCallbacksRun().then(resolve));
      for (const c of [...this.connections]) c.close();
      this.broker.dispose();
    });
    return this.closing;
  }
}
