/** kafkajs's names of the errors a fenced transactional producer gets (kafkajs 2.2 knows PRODUCER_FENCED only by its code). */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const FENCED_CODES = new Set([47, 90]);

/**
 * @internal Whether `error` (or an error it wraps: `cause`, kafkajs's `originalError`, an
 * aggregate's `errors`) says that a newer producer with the same transactional id fenced ours.
 */
export function isFenced(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 8) return false;
  const e = error as { type?: unknown; code?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if ((typeof e.type === 'string' && FENCED_TYPES.has(e.type)) || (typeof e.code === 'number' && FENCED_CODES.has(e.code))) return true;
  if (isFenced(e.cause, depth + 1) || isFenced(e.originalError, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isFenced(x, depth + 1));
}
