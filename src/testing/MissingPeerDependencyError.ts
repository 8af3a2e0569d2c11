// Moved to src/errors/ (exported from `tidemark`); this path stays until every importer uses 'tidemark'.
export { MissingPeerDependencyError } from 'tidemark';
