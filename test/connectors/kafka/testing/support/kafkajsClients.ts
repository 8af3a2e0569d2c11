/**
 * kafkajs 2.2.4 against the test broker: a client that logs nothing, and consuming until a
 * count of messages or a quiet period, with the partitions and offsets of what was read.
 */
import { Kafka, logLevel, Partitioners, type Consumer, type ConsumerConfig, type KafkaConfig, type Producer, type ProducerConfig } from 'kafkajs';

/** A kafkajs client for `brokers`, quiet, with short retries so that a failing test fails fast. */
export function kafkaFor(brokers: string[], config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({ brokers, clientId: 'tidemark-test', logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 8 }, ...config });
}

/** A producer with kafkajs's current partitioner (and without its warning about it). */
export function producerOf(kafka: Kafka, config: ProducerConfig = {}): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
}

/** A consumed message, as plain data. */
export interface Consumed {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
}

/** Options of {@link consume}. */
export interface ConsumeOptions extends Partial<ConsumerConfig> {
  readonly topic: string;
  /** Resolve once this many messages are in. */
  readonly count?: number;
  /** Resolve after this long without a new message, once there are `count` (or if no count, at all). */
  readonly quietMs?: number;
  /** Give up (resolving with what was read) after this long. */
  readonly timeoutMs?: number;
  readonly fromBeginning?: boolean;
}

/**
 * Consumes `topic` in a group (by default a fresh one, from the beginning) until `count`
 * messages are in and no more arrive for `quietMs`, or `timeoutMs` passes; disconnects.
 */
export async function consume(kafka: Kafka, options: ConsumeOptions): Promise<Consumed[]> {
  const { topic, count = 0, quietMs = 300, timeoutMs = 15_000, fromBeginning = true, ...config } = options;
  const consumer: Consumer = kafka.consumer({ groupId: `g-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 50, ...config });
  const seen: Consumed[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning });
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, timeoutMs);
      let quiet: ReturnType<typeof setTimeout> | undefined;
      const settle = (): void => {
        if (seen.length < count) return;
        clearTimeout(quiet);
        quiet = setTimeout(() => {
          clearTimeout(deadline);
          resolve();
        }, quietMs);
      };
      settle();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
          settle();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** The values of consumed messages, sorted. */
export const values = (messages: readonly Consumed[]): (string | null)[] => messages.map((m) => m.value).sort();

/** Waits until `check` holds (polling), or fails with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
