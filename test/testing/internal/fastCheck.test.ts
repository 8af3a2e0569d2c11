import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fc from 'fast-check';
import type { Observable } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamElement } from 'tidemark';
import { fastCheck, toStringMethod } from '../../../src/testing/internal/fastCheck.js';
import { errorOf } from '../../support/errorOf.js';

/** tidemark/testing loaded afresh as if fast-check were not installed. */
async function testingWithoutFastCheck(): Promise<typeof import('tidemark/testing')> {
  vi.resetModules();
  const error = new Error("Cannot find package 'fast-check'");
  vi.doMock('../../../src/testing/internal/fastCheckModule.js', () => ({ fastCheckModule: { module: undefined, error } }));
  return import('tidemark/testing');
}

afterEach(() => {
  vi.doUnmock('../../../src/testing/internal/fastCheckModule.js');
  vi.resetModules();
});

describe('fastCheck', () => {
  it('is the only way src/ reaches fast-check at run time (every other import of it is `import type`)', async () => {
    const src = fileURLToPath(new URL('../../../src', import.meta.url));
    const offenders: string[] = [];
    for (const file of await readdir(src, { recursive: true })) {
      if (!/\.c?ts$/.test(file) || /internal[\\/]fastCheckModule\.c?ts$/.test(file)) continue;
      const code = (await readFile(join(src, file), 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '');
      const imports = code.match(/^\s*(?:import|export)\b[^;]*?from\s*['"]fast-check['"]|\b(?:import|require)\s*\(\s*['"]fast-check['"]/gm) ?? [];
      for (const found of imports) if (!/^\s*(?:import|export)\s+type\b/.test(found)) offenders.push(`${file}: ${found.trim()}`);
    }
    expect(offenders).toEqual([]);
  });

  it('is the installed fast-check, and toStringMethod is its symbol', () => {
    expect(fastCheck('disorderedEvents').property).toBe(fc.property);
    expect(toStringMethod).toBe(fc.toStringMethod);
  });

  it('without fast-check, every API that needs it throws MissingPeerDependencyError naming itself, before checking arguments', async () => {
    const t = await testingWithoutFastCheck();
    const events = fc.constant({ events: [], late: [], maxDisorder: 0 });
    const pipeline = { operator: () => (source: Observable<StreamElement<number>>) => source };
    const calls: [string, () => unknown][] = [
      ['disorderedEvents', () => t.disorderedEvents('not an arbitrary' as never, { maxDisorder: -1 })],
      ['boundaryTimestamps', () => t.boundaryTimestamps(-1)],
      ['watermarkPlacement', () => t.watermarkPlacement({ events: [], late: [], maxDisorder: 0 }, { maxLag: -1 })],
      ['assertOrderInsensitive', () => t.assertOrderInsensitive({ pipeline, events })],
      ['assertMatchesOracle', () => t.assertMatchesOracle({ pipeline, events, oracle: () => [] })],
      ['assertLateDataHandled', () => t.assertLateDataHandled({ pipeline, events, counted: () => [] })],
      ['assertCheckpointRoundTrip', () => t.assertCheckpointRoundTrip({ pipeline: { engine: () => ({}) as never }, events })],
    ];
    for (const [api, call] of calls) {
      const e = errorOf(call);
      expect(t.MissingPeerDependencyError.isMissingPeerDependencyError(e), `${api}: ${String(e)}`).toBe(true);
      expect(e.message).toBe(`${api} needs the peer dependency fast-check ^4: npm install --save-dev fast-check`);
      expect((e.cause as Error).message).toBe("Cannot find package 'fast-check'");
    }
  });

  it('without fast-check, the rest of tidemark/testing works', async () => {
    const t = await testingWithoutFastCheck();
    expect(new t.VirtualClock(5).now()).toBe(5);
    expect(t.parseMarbles('a@1 W1 |')).toHaveLength(3);
    expect(t.markLate([{ kind: 'event', value: 'a', timestamp: 5 }, { kind: 'event', value: 'c', timestamp: 1 }], 2).late).toEqual([1]);
  });
});
