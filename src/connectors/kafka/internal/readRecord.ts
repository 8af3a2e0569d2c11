import type { KafkaMessage } from 'kafkajs';
import type { KafkaConnectorFailure } from '../KafkaConnectorError.js';
import type { KafkaRecord } from '../KafkaRecord.js';
import { messageOf } from './messageOf.js';
import type { PartitionState } from './PartitionState.js';

/** @internal How a source turns messages into records: the user's `deserialize` and `timestamp` options. */
export interface RecordReading<V> {
  readonly deserialize?: ((message: KafkaMessage, topic: string, partition: number) => V) | undefined;
  readonly timestamp?: ((record: KafkaRecord<V>) => number) | undefined;
}

/** @internal A message read: its record and event time, or why it cannot be read. */
export type ReadRecord<V> =
  | { readonly ok: true; readonly record: KafkaRecord<V>; readonly time: number }
  | { readonly ok: false; readonly reason: KafkaConnectorFailure; readonly message: string; readonly cause?: unknown };

/**
 * @internal Deserializes and timestamps one message of partition `p`, with messages that name
 * `api`, the record (`topic/partition@offset`) and the fix.
 */
export function readRecord<V>(api: string, reading: RecordReading<V>, p: PartitionState<V>, m: KafkaMessage): ReadRecord<V> {
  const { deserialize, timestamp } = reading;
  let value: V;
  try {
    value = deserialize === undefined ? (m.value as V) : deserialize(m, p.topic, p.partition);
  } catch (cause) {
    return { ok: false, reason: 'deserialization', message: `${api}: cannot deserialize the record ${p.where(m)}: ${messageOf(cause)}; fix the deserialize option, or route such records with deadLetter`, cause };
  }
  const record: KafkaRecord<V> = { topic: p.topic, partition: p.partition, offset: Number(m.offset), key: m.key, value, headers: m.headers ?? {}, timestamp: Number(m.timestamp) };
  let time: number;
  try {
    time = timestamp === undefined ? record.timestamp : timestamp(record);
  } catch (cause) {
    return { ok: false, reason: 'timestamp', message: `${api}: the timestamp option threw at ${p.where(m)}: ${messageOf(cause)}`, cause };
  }
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    return { ok: false, reason: 'timestamp', message: `${api}: the event time of ${p.where(m)} is ${String(time)}, not a finite number; fix the timestamp option, or route such records with deadLetter` };
  }
  return { ok: true, record, time };
}
