import { KafkaErrorCode } from '../errorCodes.js';
import { PartitionLog } from './PartitionLog.js';

/** A topic: its name and its partitions' logs. @internal */
export interface Topic {
  readonly name: string;
  readonly partitions: PartitionLog[];
  readonly configs: ReadonlyMap<string, string | null>;
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a legal topic name (Kafka's rules), or `null` if it is. @internal */
export function illegalTopicName(name: string): string | null {
  if (name.length === 0) return 'a topic name may not be empty';
  if (name === '.' || name === '..') return `"${name}" is not a legal topic name`;
  if (name.length > 249) return 'a topic name has at most 249 characters';
  if (!LEGAL_NAME.test(name)) return `"${name}" may only contain ASCII letters, digits, ".", "_" and "-"`;
  return null;
}

/**
 * The broker's topics, by name. Deleting a topic tells the listeners (the group coordinator
 * drops its committed offsets), so that a topic created again under the same name starts empty.
 * @internal
 */
export class Topics {
  private readonly byName = new Map<string, Topic>();
  private readonly deleteListeners = new Set<(name: string) => void>();

  get(name: string): Topic | undefined {
    return this.byName.get(name);
  }

  partition(name: string, partition: number): PartitionLog | undefined {
    return this.byName.get(name)?.partitions[partition];
  }

  list(): Topic[] {
    return [...this.byName.values()];
  }

  /** Creates a topic; returns Kafka's error code and a message on failure. */
  create(name: string, partitions: number, configs: ReadonlyMap<string, string | null> = new Map()): { errorCode: number; message: string | null } {
    const illegal = illegalTopicName(name);
    if (illegal !== null) return { errorCode: KafkaErrorCode.INVALID_TOPIC_EXCEPTION, message: illegal };
    if (this.byName.has(name)) return { errorCode: KafkaErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${name}' already exists.` };
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
      return { errorCode: KafkaErrorCode.INVALID_PARTITIONS, message: `Number of partitions must be between 1 and 10000, got ${partitions}.` };
    }
    const logs = Array.from({ length: partitions }, (_, p) => new PartitionLog(name, p));
    this.byName.set(name, { name, partitions: logs, configs });
    return { errorCode: KafkaErrorCode.NONE, message: null };
  }

  /** Grows a topic to `count` partitions (CreatePartitions). */
  grow(name: string, count: number): { errorCode: number; message: string | null } {
    const topic = this.byName.get(name);
    if (topic === undefined) return { errorCode: KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `Topic '${name}' does not exist.` };
    if (!Number.isInteger(count) || count <= topic.partitions.length || count > 10_000) {
      return { errorCode: KafkaErrorCode.INVALID_PARTITIONS, message: `Topic '${name}' has ${topic.partitions.length} partitions; the new count must be larger, got ${count}.` };
    }
    for (let p = topic.partitions.length; p < count; p++) topic.partitions.push(new PartitionLog(name, p));
    return { errorCode: KafkaErrorCode.NONE, message: null };
  }

  delete(name: string): number {
    if (!this.byName.delete(name)) return KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    for (const listener of this.deleteListeners) listener(name);
    return KafkaErrorCode.NONE;
  }

  onDelete(listener: (name: string) => void): void {
    this.deleteListeners.add(listener);
  }
}
