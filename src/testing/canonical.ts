/**
 * @internal A deterministic text form of a value, equal for structurally equal values: object
 * keys sorted, `undefined`, `NaN`, `±Infinity` and `-0` kept distinct, Maps and Sets by
 * content. Used to compare outputs as multisets and to print values in messages.
 */
export function canonical(value: unknown): string {
  return write(value, new Set());
}

function write(v: unknown, seen: Set<object>): string {
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return String(v);
    case 'symbol':
      return v.toString();
    case 'function':
      return `[function ${v.name || 'anonymous'}]`;
    default:
      break;
  }
  if (v === null) return 'null';
  const o = v as object;
  if (seen.has(o)) return '[circular]';
  seen.add(o);
  try {
    if (Array.isArray(o)) return `[${o.map((x) => write(x, seen)).join(',')}]`;
    if (o instanceof Map) {
      const entries = [...o].map(([k, x]) => `${write(k, seen)}=>${write(x, seen)}`).sort();
      return `Map{${entries.join(',')}}`;
    }
    if (o instanceof Set) return `Set{${[...o].map((x) => write(x, seen)).sort().join(',')}}`;
    if (o instanceof Date) return `Date(${o.getTime()})`;
    if (o instanceof Error) return `${o.name}(${JSON.stringify(o.message)})`;
    const keys = Object.keys(o).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${write((o as Record<string, unknown>)[k], seen)}`).join(',')}}`;
  } finally {
    seen.delete(o);
  }
}

/** @internal What two multisets do not share: items of `a` missing from `b`, and of `b` missing from `a`. */
export interface MultisetDiff<T> {
  readonly onlyLeft: T[];
  readonly onlyRight: T[];
}

/** @internal Compares two lists as multisets under {@link canonical} equality. */
export function multisetDiff<T>(left: readonly T[], right: readonly T[]): MultisetDiff<T> {
  const counts = new Map<string, T[]>();
  for (const x of right) {
    const k = canonical(x);
    const list = counts.get(k);
    if (list === undefined) counts.set(k, [x]);
    else list.push(x);
  }
  const onlyLeft: T[] = [];
  for (const x of left) {
    const list = counts.get(canonical(x));
    if (list === undefined || list.length === 0) onlyLeft.push(x);
    else list.pop();
  }
  const onlyRight = [...counts.values()].flat();
  return { onlyLeft, onlyRight };
}

/** @internal A short one-line rendering of a value for messages and marbles. */
export function show(value: unknown, max = 120): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : canonical(value);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
