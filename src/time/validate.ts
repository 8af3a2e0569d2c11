import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { show } from '../errors/show.js';

/** @internal Throws unless `value` is a finite number > 0. */
export function requirePositive(api: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${api}: ${name} must be a positive finite number, got ${show(value)}`);
  }
  return value;
}

/** @internal Throws unless `value` is a finite number >= 0. */
export function requireNonNegative(api: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${api}: ${name} must be a finite number >= 0, got ${show(value)}`);
  }
  return value;
}

/** @internal Throws unless `value` is a finite number. */
export function requireFinite(api: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${api}: ${name} must be a finite number, got ${show(value)}`);
  }
  return value;
}

/**
 * @internal Throws unless `value` is a positive safe integer: a window's size, slide or gap.
 * Event time is integral (milliseconds by convention), as in Flink: a window `[start, end)`
 * fires when the watermark reaches `end − 1`, which is only exact for integral time.
 */
export function requireDuration(api: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(
      `${api}: ${name} must be a positive integer (event time is integral: milliseconds by convention), got ${show(value)}` +
        (typeof value === 'number' && value > 0 && Number.isFinite(value) && !Number.isInteger(value) ? '; use a smaller time unit, e.g. milliseconds instead of seconds' : ''),
    );
  }
  return value;
}

/** @internal Throws unless `value` is a safe integer: a window's offset. */
export function requireIntegerTime(api: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`${api}: ${name} must be an integer (event time is integral: milliseconds by convention), got ${show(value)}`);
  }
  return value;
}

/** @internal Throws unless `value` is a positive integer. */
export function requirePositiveInteger(api: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${api}: ${name} must be a positive integer, got ${show(value)}`);
  }
  return value;
}

/** @internal Throws unless `value` is a function. */
export function requireFunction(api: string, name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(`${api}: ${name} must be a function, got ${show(value)}`);
  }
}

/** @internal Throws unless `value` looks like an RxJS `SchedulerLike` (`now()` and `schedule()`). */
export function requireScheduler(api: string, value: unknown): void {
  const s = value as { now?: unknown; schedule?: unknown } | null;
  if (s === null || typeof s !== 'object' || typeof s.now !== 'function' || typeof s.schedule !== 'function') {
    throw new InvalidArgumentError(
      `${api}: scheduler must be an RxJS SchedulerLike with now() and schedule(), got ${show(value)}; ` +
        "pass e.g. asyncScheduler from 'rxjs', or a VirtualClock from 'tidemark/testing'",
    );
  }
}
