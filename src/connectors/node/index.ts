/**
 * tidemark/node: Node-only connectors — a JSON-lines file source positioned by byte offset and
 * an exactly-once JSON-lines file sink, for checkpointed pipelines (`checkpoints` from `tidemark`) without Kafka.
 * @packageDocumentation
 * @module tidemark/node
 */
export type { JsonLinesSourceOptions } from './jsonLinesSource.js';
export { jsonLinesSource } from './jsonLinesSource.js';
export type { JsonLinesSinkOptions } from './jsonLinesSink.js';
export { jsonLinesSink } from './jsonLinesSink.js';
export { JsonLinesError } from './JsonLinesError.js';
