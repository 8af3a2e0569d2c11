import type { Message, TopicMessages } from 'kafkajs';

/**
 * @internal The results a sink has not handed to kafkajs yet, cut into batches synchronously:
 * by {@link RecordBatches.cut} (at a barrier, before the barrier's own step is queued), and in a
 * microtask after a run of `add`s. So a batch never mixes results from both sides of a barrier,
 * and results that arrive together go out in one `sendBatch`.
 */
export class RecordBatches {
  private buffer: { topic: string; message: Message }[] = [];
  private cutScheduled = false;

  /** @param onBatch - queues the sending of one batch (on the sink's serial chain). */
  constructor(private readonly onBatch: (topicMessages: TopicMessages[], records: number) => void) {}

  add(topic: string, message: Message): void {
    this.buffer.push({ topic, message });
    if (this.cutScheduled) return;
    this.cutScheduled = true;
    queueMicrotask(() => {
      this.cutScheduled = false;
      this.cut();
    });
  }

  /** Hands what was added so far to `onBatch`, grouped by topic in arrival order. */
  cut(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of batch) {
      const list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, [message]);
      else list.push(message);
    }
    this.onBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })), batch.length);
  }

  /** Drops what was not cut yet; returns how many records that was. */
  discard(): number {
    const n = this.buffer.length;
    this.buffer = [];
    return n;
  }
}
