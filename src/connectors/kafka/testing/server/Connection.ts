import type { Socket } from 'node:net';
import type { Broker } from '../Broker.js';
import { KafkaErrorCode } from '../errorCodes.js';
import type { FaultPlan } from '../faults.js';
import type { RequestRecord } from '../TestBroker.js';
import { writeApiVersions } from '../apis/apiVersions.js';
import { API_BY_KEY } from '../apis/registry.js';
import { ProtocolDecodeError, Reader } from '../protocol/Reader.js';
import { Writer } from '../protocol/Writer.js';

/** Kafka's socket.request.max.bytes: a bigger frame closes the connection. */
const MAX_FRAME = 100 * 1024 * 1024;
const API_VERSIONS = 18;

/** A response in the connection's queue: written when it and all before it are ready. */
interface Pending {
  ready: boolean;
  bytes: Buffer | null;
  /** Close the connection instead of writing (a dropped response). */
  drop: boolean;
}

/**
 * One client connection: splits the byte stream into size-prefixed requests, decodes each
 * header (v1, or v2 for the one flexible request, ApiVersions v3), hands the body to its API,
 * and writes the responses in the order the requests came, however long each takes. Requests
 * are acted on as they arrive, so a client that pipelines (kafka-python's ApiVersions and
 * Metadata, kafkajs's concurrent requests) is served; a fetch waiting for data holds back only
 * the responses behind it on its own connection, as on a real broker.
 *
 * An unknown API key, or an unsupported version of any API but ApiVersions, closes the
 * connection, as Kafka does. An ApiVersions version above the highest known is answered in
 * v0 with UNSUPPORTED_VERSION and the supported ranges (KIP-511).
 * @internal
 */
export class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly broker: Broker,
    private readonly faults: FaultPlan,
    private readonly log: (line: string) => void,
    private readonly onClose: (c: Connection) => void,
    private readonly record: (request: RequestRecord) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** Closes the connection at once; responses not yet written are lost. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.socket.destroy();
    this.onClose(this);
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (!this.closed && this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (size < 8 || size > MAX_FRAME) {
        this.log(`closing ${this.peer()}: frame of ${size} bytes`);
        this.close();
        return;
      }
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      try {
        this.request(frame);
      } catch (e) {
        this.log(`closing ${this.peer()}: ${e instanceof ProtocolDecodeError ? `malformed request (${e.message})` : String((e as Error)?.stack ?? e)}`);
        this.close();
      }
    }
  }

  private request(frame: Buffer): void {
    const r = new Reader(frame);
    const apiKey = r.int16();
    const version = r.int16();
    const correlationId = r.int32();
    const registered = API_BY_KEY.get(apiKey);
    if (registered === undefined) {
      this.log(`closing ${this.peer()}: unknown API key ${apiKey} v${version}`);
      this.close();
      return;
    }
    if (apiKey === API_VERSIONS && version > registered.maxVersion) {
      const w = new Writer();
      writeApiVersions(w, KafkaErrorCode.UNSUPPORTED_VERSION, 0);
      this.enqueue(correlationId, w.finish(), false);
      return;
    }
    const { api, minVersion, maxVersion } = registered;
    if (version < minVersion || version > maxVersion) {
      this.log(`closing ${this.peer()}: ${api.name} v${version} is not supported (v${minVersion}–v${maxVersion})`);
      this.close();
      return;
    }
    const clientId = r.nullableString() ?? '';
    if (apiKey === API_VERSIONS && version >= 3) r.taggedFields(); // request header v2
    this.record({ api: api.name, version, clientId, correlationId });
    const request = api.decode(r, version);
    const fault = this.faults.take(api.name, correlationId);
    if (fault.drop === 'request') {
      this.log(`fault: dropping ${this.peer()} before ${api.name} #${correlationId}`);
      this.close();
      return;
    }
    const unanswered = api.unanswered?.(request) === true && fault.drop !== 'response';
    const pending: Pending = { ready: false, bytes: null, drop: fault.drop === 'response' };
    if (!unanswered) this.queue.push(pending);
    let result: unknown;
    try {
      result = fault.failWith !== undefined ? api.fail(this.broker, request, fault.failWith, version) : api.handle(this.broker, request, version, { clientId, clientHost: this.host() });
    } catch (e) {
      this.log(`${api.name} v${version} failed: ${String((e as Error)?.stack ?? e)}`);
      result = api.fail(this.broker, request, KafkaErrorCode.UNKNOWN_SERVER_ERROR, version);
    }
    if (unanswered) return;
    const settle = (response: unknown): void => {
      if (response === null) {
        pending.ready = true;
        this.flush();
        return;
      }
      const body = new Writer();
      api.encode(body, response, version);
      const send = (): void => {
        pending.bytes = frameOf(correlationId, body.finish());
        pending.ready = true;
        this.flush();
      };
      if (fault.delayMs !== undefined) this.broker.clock.after(fault.delayMs, send);
      else send();
    };
    if (result instanceof Promise) {
      result.then(settle, (e: unknown) => {
        this.log(`${api.name} v${version} failed: ${String((e as Error)?.stack ?? e)}`);
        settle(api.fail(this.broker, request, KafkaErrorCode.UNKNOWN_SERVER_ERROR, version));
      });
    }
    else settle(result);
  }

  private enqueue(correlationId: number, body: Buffer, drop: boolean): void {
    this.queue.push({ ready: true, bytes: frameOf(correlationId, body), drop });
    this.flush();
  }

  /** Writes the ready responses at the head of the queue. */
  private flush(): void {
    while (!this.closed && this.queue.length > 0 && this.queue[0]!.ready) {
      const head = this.queue.shift()!;
      if (head.drop) {
        this.log(`fault: dropping ${this.peer()} instead of a response`);
        this.close();
        return;
      }
      if (head.bytes !== null) this.socket.write(head.bytes);
    }
  }

  private host(): string {
    return this.socket.remoteAddress ?? 'unknown';
  }

  private peer(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }
}

/** A response frame: size, correlation id (response header v0), body. */
function frameOf(correlationId: number, body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(8 + body.length);
  frame.writeInt32BE(4 + body.length, 0);
  frame.writeInt32BE(correlationId, 4);
  body.copy(frame, 8);
  return frame;
}
