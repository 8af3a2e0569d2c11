// TypeDoc configuration of the API reference: `npm run docs:api` (part of `npm test`) writes
// it to .tmp/api/ (gitignored); open .tmp/api/index.html. See docs/README.md, "Reference".
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'tidemark',
  // One line per package entry; each has a `@packageDocumentation` comment naming it with `@module`.
  entryPoints: ['src/index.ts', 'src/testing/index.ts', 'src/connectors/kafka/testing/index.ts', 'src/connectors/kafka/index.ts', 'src/connectors/node/index.ts', 'src/lmdb/index.ts'],
  out: '.tmp/api',
  cleanOutputDir: true,
  readme: 'none',
  excludeInternal: true,
  excludePrivate: true,
  // Harnesses and errors are used, not subclassed: their protected members are not API.
  excludeProtected: true,
  // `npm run typecheck` reports type errors; this build only reads the declarations.
  skipErrorChecking: true,
  // No public remote yet: "Defined in" links open the file in this checkout.
  disableGit: true,
  displayBasePath: root,
  sourceLinkTemplate: `${pathToFileURL(root).href}{path}#L{line}`,
  plugin: ['./scripts/typedoc-internal-references.mjs'],
  treatWarningsAsErrors: true,
  // The `min`/`max` of inline ranges, which the option that holds them documents.
  intentionallyNotDocumented: [
    ...['DisorderedEventsOptions', 'KeyedDisorderedEventsOptions'].flatMap((o) =>
      ['count', 'timeRange'].flatMap((range) => ['min', 'max'].map((end) => `tidemark/testing.${o}.${range}.__type.${end}`)),
    ),
    'tidemark/testing.BoundaryTimestampsOptions.windows.__type.min',
    'tidemark/testing.BoundaryTimestampsOptions.windows.__type.max',
  ],
  validation: {
    notExported: true,
    invalidLink: true,
    rewrittenLink: true,
    notDocumented: true,
    unusedMergeModuleWith: true,
  },
};
