import type * as KafkaJs from 'kafkajs';

/**
 * @internal kafkajs as `tidemark/kafka` found it when it loaded (ESM): the module, or the error
 * met importing it. kafkajs is an optional peer dependency: the connectors take a kafkajs client
 * or consumer/producer the caller made, and need the module itself only for the `brokers`
 * shorthand. The CommonJS build takes the twin `kafkajsModule.cts` (tsup.config.ts), as for
 * fast-check in `tidemark/testing` (docs/decisions/0007-fast-check-optional.md).
 */
export const kafkajsModule: { readonly module: typeof KafkaJs | undefined; readonly error: unknown } = await import('kafkajs').then(
  (module) => ({ module: (module as unknown as { default?: typeof KafkaJs }).default ?? module, error: undefined }),
  (error: unknown) => ({ module: undefined, error }),
);
