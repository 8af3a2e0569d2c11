import type { ICustomPartitioner, Kafka } from 'kafkajs';
import { MissingPeerDependencyError } from 'tidemark';
import { kafkajsModule } from './kafkajsModule.js';

/**
 * @internal A kafkajs client for `brokers` (the connectors' `brokers` shorthand), or a
 * {@link MissingPeerDependencyError} naming `api` and the fix when kafkajs is not installed.
 */
export function kafkaClient(api: string, brokers: readonly string[], clientId: string): Kafka {
  const { module, error } = kafkajsModule;
  if (module === undefined) throw new MissingPeerDependencyError(api, 'kafkajs', '^2.2', error, 'npm install kafkajs');
  return new module.Kafka({ brokers: [...brokers], clientId, logLevel: module.logLevel.WARN });
}

/** @internal kafkajs's current partitioner (passing it also silences kafkajs's warning about the change of default), when kafkajs loaded. */
export function defaultPartitioner(): ICustomPartitioner | undefined {
  return kafkajsModule.module?.Partitioners.DefaultPartitioner;
}
