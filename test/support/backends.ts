import { afterEach, beforeEach } from 'vitest';
import type { StateBackend } from 'tidemark';
import { CopyingStateBackend } from 'tidemark/testing';

/** The backends window tests run on: the default memory one, and one that copies values as LMDB will. */
export const BACKENDS = [
  ['memory backend', undefined],
  ['value-copying backend', () => new CopyingStateBackend()],
] as const satisfies readonly (readonly [string, (() => StateBackend) | undefined])[];

let current: (() => StateBackend) | undefined;

/** The backend of the tests now running (`undefined`: the operator's default memory backend). */
export function currentBackend(): (() => StateBackend) | undefined {
  return current;
}

/** Inside a `describe`: its tests run with `backend` as {@link currentBackend}. */
export function runOn(backend: (() => StateBackend) | undefined): void {
  beforeEach(() => {
    current = backend;
  });
  afterEach(() => {
    current = undefined;
  });
}
