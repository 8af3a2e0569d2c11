/** @internal An error's message for another error's message. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
