/**
 * The Python clients from Debian against the test broker: kafka-python 2.0.2 (it starts with
 * ApiVersions v0 and Metadata v0 sent back to back, then infers the broker's release from
 * the versions) and confluent-kafka (librdkafka) with transactions and read_committed.
 * Each is skipped, with the reason printed, when it is not installed.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../../../src/connectors/kafka/testing/index.js';
import { confluentKafka, kafkaPython, run } from './support/externalTools.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ topics: [{ name: 'python', partitions: 2 }, { name: 'confluent', partitions: 2 }] });
});
afterAll(() => broker.close());

describe.skipIf(kafkaPython.path === null)('kafka-python', () => {
  it('starts with ApiVersions v0 and Metadata v0 pipelined, infers Kafka 2.3, produces and consumes in a group', async () => {
    const { stdout } = await run(kafkaPython.path!, [fixture('kafkaPython.py'), broker.brokers[0]!, 'python'], { timeoutMs: 30_000 });
    const result = JSON.parse(stdout) as { api_version: number[]; values: string[] };
    expect(result).toEqual({ api_version: [2, 3, 0], values: ['py0', 'py1', 'py2', 'py3', 'py4'] });
    const first = broker.requests.filter((r) => r.clientId === 'kafka-python-producer').slice(0, 2);
    expect(first.map((r) => `${r.api} v${r.version}`)).toEqual(['ApiVersions v0', 'Metadata v0']);
    const used = new Set(broker.requests.filter((r) => r.clientId.startsWith('kafka-python')).map((r) => `${r.api} v${r.version}`));
    for (const request of ['Produce v7', 'Fetch v4', 'JoinGroup v2', 'SyncGroup v1', 'OffsetCommit v2', 'OffsetFetch v1']) expect(used).toContain(request);
    expect(broker.describeGroup('kafka-python-group')!.offsets.reduce((n, o) => n + o.offset, 0)).toBe(5);
  });
});

describe.skipIf(confluentKafka.path === null)('confluent-kafka (librdkafka)', () => {
  it('commits and aborts transactions: read_committed sees the committed records, read_uncommitted all', async () => {
    const { stdout } = await run(confluentKafka.path!, [fixture('confluentTransaction.py'), broker.brokers[0]!, 'confluent'], { timeoutMs: 40_000 });
    expect(JSON.parse(stdout)).toEqual({
      read_committed: ['committed-last', 'committed0', 'committed1', 'committed2'],
      read_uncommitted: ['aborted0', 'aborted1', 'committed-last', 'committed0', 'committed1', 'committed2'],
    });
    const used = new Set(broker.requests.map((r) => r.api));
    for (const api of ['InitProducerId', 'AddPartitionsToTxn', 'EndTxn', 'FindCoordinator'] as const) expect(used).toContain(api);
  });
});

if (kafkaPython.path === null) it.skip(`kafka-python: ${kafkaPython.skipReason}`, () => {});
if (confluentKafka.path === null) it.skip(`confluent-kafka: ${confluentKafka.skipReason}`, () => {});
