/**
 * @internal Combines the watermarks of several inputs (Flink's `StatusWatermarkValve`).
 * Completed inputs drop out. Among the running inputs, the combined watermark is the
 * minimum over those that are not idle; when every running input is idle, the maximum
 * over them; when every input has completed, `+Infinity`.
 */
export class WatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly done: boolean[];
  private running: number;

  constructor(inputs: number) {
    this.watermarks = new Array<number>(inputs).fill(-Infinity);
    this.idle = new Array<boolean>(inputs).fill(false);
    this.done = new Array<boolean>(inputs).fill(false);
    this.running = inputs;
  }

  setWatermark(input: number, timestamp: number): void {
    if (timestamp > this.watermarks[input]!) this.watermarks[input] = timestamp;
  }

  /** The largest watermark the input has delivered. */
  watermarkOf(input: number): number {
    return this.watermarks[input]!;
  }

  setIdle(input: number, idle: boolean): void {
    this.idle[input] = idle;
  }

  isIdle(input: number): boolean {
    return this.idle[input]!;
  }

  isDone(input: number): boolean {
    return this.done[input]!;
  }

  /** Number of inputs that have not completed. */
  get runningInputs(): number {
    return this.running;
  }

  complete(input: number): void {
    if (this.done[input]) return;
    this.done[input] = true;
    this.idle[input] = false;
    this.running--;
  }

  /** Whether every running input is idle (false once all have completed). */
  allIdle(): boolean {
    if (this.running === 0) return false;
    for (let i = 0; i < this.idle.length; i++) if (!this.done[i] && !this.idle[i]) return false;
    return true;
  }

  watermark(): number {
    if (this.running === 0) return Infinity;
    let min = Infinity;
    let max = -Infinity;
    let active = 0;
    for (let i = 0; i < this.watermarks.length; i++) {
      if (this.done[i]) continue;
      const w = this.watermarks[i]!;
      if (w > max) max = w;
      if (this.idle[i]) continue;
      active++;
      if (w < min) min = w;
    }
    return active === 0 ? max : min;
  }
}
