/** Scale measurements (bench/scale.ts): one configuration per worker. */
export interface ScaleJob {
  readonly kind: 'scale';
}
export type ScaleResult = Record<string, never>;
export async function runScaleJob(_job: ScaleJob): Promise<ScaleResult> {
  throw new Error('scale: not yet');
}
