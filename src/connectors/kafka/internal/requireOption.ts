import { InvalidArgumentError } from 'tidemark';

/** @internal Checks an optional duration or count option: absent, or a positive finite number. */
export function requireOption(api: string, name: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value > 0) || value === Infinity) {
    throw new InvalidArgumentError(`${api}: ${name} must be a positive number (milliseconds or a count), got ${String(value)}`);
  }
}
