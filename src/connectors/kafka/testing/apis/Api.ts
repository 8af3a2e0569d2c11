import type { ApiName } from '../apiKeys.js';
import type { Broker } from '../Broker.js';
import type { Reader } from '../protocol/Reader.js';
import type { Writer } from '../protocol/Writer.js';

/** Who sent a request: the header's client id and the peer's address. @internal */
export interface ClientInfo {
  readonly clientId: string;
  readonly clientHost: string;
}

/**
 * One Kafka API: how its request body decodes and its response body encodes, per version;
 * what the broker does with it; and the response that fails all of it with one error code
 * (for {@link BrokerFaults.failNext}). `handle` returns the response, a promise of it (a
 * fetch waiting for data, a join waiting for the rebalance), or `null` for no response at all
 * (a produce with acks 0).
 * @internal
 */
export interface Api<Req, Res> {
  readonly name: ApiName;
  decode(reader: Reader, version: number): Req;
  handle(broker: Broker, request: Req, version: number, client: ClientInfo): Res | Promise<Res> | null;
  encode(writer: Writer, response: Res, version: number): void;
  fail(broker: Broker, request: Req, errorCode: number, version: number): Res;
  /** Whether the client waits for no response to this request (Produce with acks 0). */
  unanswered?(request: Req): boolean;
}

/** An API with its request and response types forgotten, for the registry. @internal */
export type AnyApi = Api<unknown, unknown>;

/** Type-checks one API's definition and erases its types for the registry. @internal */
export function defineApi<Req, Res>(api: Api<Req, Res>): AnyApi {
  return api as unknown as AnyApi;
}
