import { describe, expect, it } from 'vitest';
import { barrier, event, watermark, type Barrier } from 'tidemark';
import { BarrierAligner, END, type AlignmentTarget, type Held } from '../../../../src/operators/internal/join/BarrierAligner.js';
import type { Side } from '../../../../src/operators/internal/join/TwoInputCore.js';

/** A target that records what reaches it, as `L:W3`, `R:a@1`, `B7` (aligned), `L:end`. */
function recorder() {
  const log: string[] = [];
  const done: [boolean, boolean] = [false, false];
  const show = (item: Held) => (item === END ? 'end' : item.kind === 'event' ? `${String(item.value)}@${item.timestamp}` : item.kind === 'watermark' ? `W${item.timestamp}` : item.kind);
  const target: AlignmentTarget = {
    // As the two-input stage handles an item that is not held: a barrier goes to the aligner.
    process(side: Side, item: Held) {
      if (item !== END && item.kind === 'barrier') return aligner.barrier(side, item);
      if (item === END) done[side] = true;
      log.push(`${side === 0 ? 'L' : 'R'}:${show(item)}`);
      if (item === END) aligner.done(side);
    },
    aligned(b: Barrier) {
      log.push(`B${b.checkpointId}`);
    },
    isDone: (side: Side) => done[side],
  };
  const aligner = new BarrierAligner(target);
  /** Delivers an item on `side` as the stage does: held if that input is held. */
  const push = (side: Side, item: Held) => (aligner.holds(side) ? aligner.hold(side, item) : target.process(side, item));
  return { log, push, aligner };
}

describe('BarrierAligner', () => {
  it('holds the input that delivered a barrier until the other delivers it; then one barrier, then the held items in order', () => {
    const { log, push, aligner } = recorder();
    push(0, barrier(1));
    expect([aligner.holds(0), aligner.holds(1)]).toEqual([true, false]);
    push(0, event('a', 1));
    push(0, watermark(2));
    push(1, event('x', 1));
    expect(log).toEqual(['R:x@1']);
    push(1, barrier(1));
    expect(log).toEqual(['R:x@1', 'B1', 'L:a@1', 'L:W2']);
    expect([aligner.holds(0), aligner.holds(1)]).toEqual([false, false]);
  });

  it('a barrier among the held items holds that input again; the next alignment releases the rest', () => {
    const { log, push } = recorder();
    push(0, barrier(1));
    push(0, event('a', 1));
    push(0, barrier(2));
    push(0, event('b', 2));
    push(1, barrier(1));
    expect(log).toEqual(['B1', 'L:a@1']);
    push(1, event('x', 3));
    push(1, barrier(2));
    expect(log).toEqual(['B1', 'L:a@1', 'R:x@3', 'B2', 'L:b@2']);
  });

  it('a newer barrier on the other input gives the pending one up (never forwarded) and is aligned instead', () => {
    const { log, push, aligner } = recorder();
    push(0, barrier(1));
    push(0, event('a', 1));
    push(1, barrier(2)); // checkpoint 1 aborted; the right input is held for 2, the left released
    expect(log).toEqual(['L:a@1']);
    expect([aligner.holds(0), aligner.holds(1)]).toEqual([false, true]);
    push(1, event('x', 1));
    push(0, barrier(2));
    expect(log).toEqual(['L:a@1', 'B2', 'R:x@1']);
  });

  it('an older barrier than the pending one is dropped; the pending one still waits', () => {
    const { log, push, aligner } = recorder();
    push(0, barrier(5));
    push(1, barrier(4));
    expect(log).toEqual([]);
    expect(aligner.holds(0)).toBe(true);
    push(1, barrier(5));
    expect(log).toEqual(['B5']);
  });

  it('the other input completing aligns a pending barrier; a barrier after one input completed goes straight on', () => {
    const { log, push } = recorder();
    push(1, barrier(3));
    push(1, event('x', 9));
    push(0, END);
    expect(log).toEqual(['L:end', 'B3', 'R:x@9']);
    push(1, barrier(4));
    expect(log).toEqual(['L:end', 'B3', 'R:x@9', 'B4']);
  });

  it("a held input's completion is delivered after the alignment, in its place", () => {
    const { log, push } = recorder();
    push(0, barrier(1));
    push(0, END);
    push(1, event('x', 1));
    push(1, barrier(1));
    expect(log).toEqual(['R:x@1', 'B1', 'L:end']);
  });
});
