/**
 * @internal A late side output as the harnesses keep it: `record` is the callback handed to the
 * pipeline (`context.late`), `recorded` what it received since the last `take()`.
 */
export class LateRecorder<T> {
  private items: T[] = [];

  /** Records one late element (a bound function: pass it as the pipeline's `late`). */
  readonly record = (item: T): void => void this.items.push(item);

  /** What was recorded since the last {@link LateRecorder.take}, in order. */
  get recorded(): readonly T[] {
    return this.items;
  }

  /** Returns what was recorded so far and clears it. */
  take(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}
