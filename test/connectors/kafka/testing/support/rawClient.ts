/**
 * A bare Kafka protocol client for tests that need exact bytes: request headers and bodies
 * written with the broker's own Writer, responses read back by correlation id.
 */
import { connect, type Socket } from 'node:net';
import { Reader } from '../../../../../src/connectors/kafka/testing/protocol/Reader.js';
import { Writer } from '../../../../../src/connectors/kafka/testing/protocol/Writer.js';

/** A request frame: size, header v1 (or v2 when `flexible`), body. */
export function frame(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void = () => {}, flexible = false): Buffer {
  const w = new Writer();
  const size = w.int32Placeholder();
  w.int16(apiKey).int16(version).int32(correlationId).nullableString('raw-client');
  if (flexible) w.taggedFields();
  body(w);
  w.patchInt32(size, w.length - 4);
  return Buffer.from(w.finish());
}

/** A connection that collects response frames. */
export class RawClient {
  private buffered = Buffer.alloc(0);
  private readonly waiting: ((r: { correlationId: number; body: Reader }) => void)[] = [];
  private readonly ready: { correlationId: number; body: Reader }[] = [];
  closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const response = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const r = new Reader(Buffer.from(response));
        const entry = { correlationId: r.int32(), body: r };
        const waiter = this.waiting.shift();
        if (waiter) waiter(entry);
        else this.ready.push(entry);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  /** The next response, in the order the broker wrote them. */
  next(): Promise<{ correlationId: number; body: Reader }> {
    const ready = this.ready.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}
