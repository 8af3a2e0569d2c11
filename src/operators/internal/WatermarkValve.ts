/**
 * @internal Combines the watermarks of several inputs (Flink's `StatusWatermarkValve`):
 * the combined watermark is the minimum over inputs that are not idle; a completed input
 * counts as `+Infinity`; when every input is idle, the maximum over all inputs.
 */
export class WatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];

  constructor(inputs: number) {
    this.watermarks = new Array<number>(inputs).fill(-Infinity);
    this.idle = new Array<boolean>(inputs).fill(false);
  }

  setWatermark(input: number, timestamp: number): void {
    if (timestamp > this.watermarks[input]!) this.watermarks[input] = timestamp;
  }

  setIdle(input: number, idle: boolean): void {
    this.idle[input] = idle;
  }

  isIdle(input: number): boolean {
    return this.idle[input]!;
  }

  complete(input: number): void {
    this.watermarks[input] = Infinity;
    this.idle[input] = false;
  }

  /** Whether every input is idle. Completed inputs are never idle. */
  allIdle(): boolean {
    return this.idle.every((x) => x);
  }

  watermark(): number {
    let min = Infinity;
    let max = -Infinity;
    let active = 0;
    for (let i = 0; i < this.watermarks.length; i++) {
      const w = this.watermarks[i]!;
      if (w > max) max = w;
      if (this.idle[i]) continue;
      active++;
      if (w < min) min = w;
    }
    return active === 0 ? max : min;
  }
}
