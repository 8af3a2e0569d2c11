/** How long a rendered value may get in an error message before it is cut. */
const MAX_LENGTH = 80;
/** How deep nested objects are rendered; deeper ones show as `{…}` / `[…]`. */
const MAX_DEPTH = 3;

/**
 * @internal Renders a user value for an error message: short, unambiguous, and never
 * `[object Object]`. Strings are quoted; `NaN`, `±Infinity`, `-0`, `undefined`, bigints and
 * symbols keep their JavaScript spelling, also inside objects (where JSON would print `null`);
 * objects and arrays are written as JavaScript literals, Maps and Sets by content, class
 * instances with their class name, cycles as `[Circular]`.
 */
export function show(value: unknown): string {
  const text = write(value, 0, new Set());
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 3)}...` : text;
}

function write(v: unknown, depth: number, seen: Set<object>): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'symbol':
      return v.toString();
    case 'function':
      return v.name === '' ? 'a function' : `function ${v.name}`;
    default:
      break;
  }
  if (v === null) return 'null';
  const o = v as object;
  if (seen.has(o)) return '[Circular]';
  if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
  if (o instanceof Error) return `${o.name}: ${o.message}`;
  if (depth >= MAX_DEPTH) return Array.isArray(o) ? '[…]' : '{…}';
  seen.add(o);
  try {
    const inner = (x: unknown) => write(x, depth + 1, seen);
    if (Array.isArray(o)) return `[${o.map(inner).join(', ')}]`;
    if (o instanceof Map) return `Map(${o.size}) {${list([...o].map(([k, x]) => `${inner(k)} => ${inner(x)}`))}}`;
    if (o instanceof Set) return `Set(${o.size}) {${list([...o].map(inner))}}`;
    const entries = Object.entries(o).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${inner(x)}`);
    const proto: unknown = Object.getPrototypeOf(o);
    const cls = proto === null || proto === Object.prototype ? '' : `${(proto as { constructor?: { name?: string } }).constructor?.name || 'Object'} `;
    return `${cls}{${list(entries)}}`;
  } finally {
    seen.delete(o);
  }
}

function list(items: string[]): string {
  return items.length === 0 ? '' : ` ${items.join(', ')} `;
}
