/**
 * `npx tsx bench/kafka.ts [--records N] [--runs R]`: what tidemark/kafka adds on top of kafkajs.
 *
 * Both sides read the same N JSON clicks from a 3-partition topic of the in-process test broker
 * and write per-key 10-second window counts to a topic: tidemark as fromKafka →
 * windowAggregate → mapEvents → toKafka; kafkajs alone as a consumer with eachBatch, a Map of
 * windows closed by the same per-partition watermark rule, and producer.send per batch. Prints
 * records per second (wall clock) and per CPU-second (this process, which also runs the broker)
 * for each side, and tidemark ÷ kafkajs. The broker is in the same process, so the absolute
 * figures include it; the ratio is the cost of the connectors and operators.
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { tap } from 'rxjs';
import { boundedOutOfOrderness, count, mapEvents, tumbling, windowAggregate } from 'tidemark';
import { fromKafka, toKafka, type KafkaRecord } from '../src/connectors/kafka/index.js';
import { startTestBroker } from '../src/connectors/kafka/testing/index.js';

interface Click {
  key: string;
  ts: number;
}

const { values: args } = parseArgs({ options: { records: { type: 'string' }, runs: { type: 'string' } } });
const N = Number(args.records ?? 100_000);
const RUNS = Number(args.runs ?? 3);
const consumerConfig = { sessionTimeout: 1_000, rebalanceTimeout: 1_000, heartbeatInterval: 100, maxWaitTimeInMs: 20, maxBytesPerPartition: 4 << 20 };

const broker = await startTestBroker({ minSessionTimeoutMs: 100, topics: [{ name: 'clicks', partitions: 3 }] });
const kafka = new Kafka({ brokers: broker.brokers, logLevel: logLevel.NOTHING });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
for (let i = 0; i < N; i += 5_000) {
  const messages = [];
  for (let j = i; j < Math.min(N, i + 5_000); j++) {
    const click: Click = { key: `k${j % 100}`, ts: 1_700_000_000_000 + j * 10 - (j % 7) * 50 };
    messages.push({ partition: j % 3, key: click.key, value: JSON.stringify(click) });
  }
  await producer.send({ topic: 'clicks', messages });
}

async function measure(name: string, side: (out: string, group: string) => Promise<number>): Promise<{ wall: number; cpu: number; results: number }[]> {
  const samples = [];
  for (let r = 0; r < RUNS; r++) {
    const out = `${name}-out-${r}`;
    broker.createTopic(out, 1);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const results = await side(out, `${name}-${r}`);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const used = process.cpuUsage(cpu0);
    samples.push({ wall, cpu: (used.user + used.system) / 1e6, results });
  }
  return samples;
}

const tidemark = (out: string, group: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const source = fromKafka<Click>({
      kafka,
      groupId: group,
      topics: ['clicks'],
      fromBeginning: true,
      consumerConfig,
      deserialize: (m) => JSON.parse(m.value!.toString()) as Click,
      timestamp: (r) => r.value.ts,
      watermark: boundedOutOfOrderness(1_000),
    });
    let read = 0;
    let results = 0;
    source
      .pipe(
        tap((e) => {
          if (e.kind === 'event' && ++read === N) queueMicrotask(() => source.stop());
        }),
        windowAggregate({ window: tumbling(10_000), key: (r: KafkaRecord<Click>) => r.value.key, aggregate: count() }),
        mapEvents((w) => (results++, { key: w.key, start: w.start, count: w.value })),
        toKafka({ kafka, topic: out, key: (w) => w.key }),
      )
      .subscribe({ error: reject, complete: () => void source.disconnected().then(() => resolve(results)) });
  });

async function kafkajsAlone(out: string, group: string): Promise<number> {
  const consumer = kafka.consumer({ groupId: group, ...consumerConfig });
  const sink = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await Promise.all([consumer.connect(), sink.connect()]);
  await consumer.subscribe({ topics: ['clicks'], fromBeginning: true });
  const max = [-Infinity, -Infinity, -Infinity];
  const windows = new Map<number, Map<string, number>>();
  let read = 0;
  let results = 0;
  let emitted = -Infinity;
  const flush = async (watermark: number): Promise<void> => {
    const messages = [];
    for (const [start, counts] of [...windows].sort((a, b) => a[0] - b[0])) {
      if (start + 10_000 - 1 > watermark) break;
      for (const [key, n] of counts) messages.push({ key, value: JSON.stringify({ key, start, count: n }) });
      windows.delete(start);
    }
    results += messages.length;
    if (messages.length > 0) await sink.send({ topic: out, messages });
  };
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const click = JSON.parse(m.value!.toString()) as Click;
          const start = click.ts - (click.ts % 10_000);
          const counts = windows.get(start) ?? new Map<string, number>();
          counts.set(click.key, (counts.get(click.key) ?? 0) + 1);
          windows.set(start, counts);
          max[batch.partition] = Math.max(max[batch.partition]!, click.ts);
          read++;
        }
        const w = Math.min(...max) - 1_001;
        if (w > emitted) await flush((emitted = w));
        if (read === N) {
          await flush(Infinity);
          resolve();
        }
      },
    });
  });
  await Promise.all([consumer.disconnect(), sink.disconnect()]);
  return results;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: [string, { wall: number; cpu: number; results: number }[]][] = [];
rows.push(['kafkajs alone', await measure('kafkajs', kafkajsAlone)]);
rows.push(['tidemark/kafka', await measure('tidemark', tidemark)]);
console.log(`${N} records, 3 partitions, median of ${RUNS} runs (the in-process broker included)`);
console.log('side            records/s   records/CPU-s   results');
const rate = (s: { wall: number; cpu: number }[]) => ({ wall: N / median(s.map((x) => x.wall)), cpu: N / median(s.map((x) => x.cpu)) });
for (const [name, samples] of rows) {
  const r = rate(samples);
  console.log(`${name.padEnd(15)} ${Math.round(r.wall).toString().padStart(9)}   ${Math.round(r.cpu).toString().padStart(13)}   ${samples[0]!.results}`);
}
const [alone, ours] = [rate(rows[0]![1]), rate(rows[1]![1])];
console.log(`tidemark ÷ kafkajs: ${(ours.wall / alone.wall).toFixed(2)} (wall), ${(ours.cpu / alone.cpu).toFixed(2)} (CPU)`);
await producer.disconnect();
await broker.close();
