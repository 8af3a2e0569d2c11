import { delay, interval, observeOn, of, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TidemarkError } from 'tidemark';
import { VirtualClock } from 'tidemark/testing';

describe('VirtualClock', () => {
  it('starts at 0 or the given time and only moves when told', () => {
    expect(new VirtualClock().now()).toBe(0);
    const clock = new VirtualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advanceBy(50);
    expect(clock.now()).toBe(1_050);
    clock.advanceTo(2_000);
    expect(clock.now()).toBe(2_000);
  });

  it('runs actions at their due time, seen by now()', () => {
    const clock = new VirtualClock();
    const seen: [string, number][] = [];
    clock.schedule(() => seen.push(['b', clock.now()]), 20);
    clock.schedule(() => seen.push(['a', clock.now()]), 10);
    clock.advanceBy(15);
    expect(seen).toEqual([['a', 10]]);
    expect(clock.now()).toBe(15);
    clock.advanceBy(15);
    expect(seen).toEqual([['a', 10], ['b', 20]]);
  });

  it('runs ties in insertion order, including actions scheduled while running', () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.schedule(() => {
      seen.push('first');
      clock.schedule(() => seen.push('scheduled by first, same time'), 0);
    }, 5);
    clock.schedule(() => seen.push('second'), 5);
    clock.schedule(() => seen.push('third'), 5);
    clock.advanceBy(5);
    expect(seen).toEqual(['first', 'second', 'third', 'scheduled by first, same time']);
  });

  it('treats a missing, negative or NaN delay as now', () => {
    const clock = new VirtualClock(7);
    const seen: number[] = [];
    clock.schedule(() => seen.push(1));
    clock.schedule(() => seen.push(2), -5);
    clock.schedule(() => seen.push(3), NaN);
    expect(clock.pending).toBe(3);
    clock.advanceBy(0);
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(7);
  });

  it('passes state and lets an action reschedule itself (like AsyncAction)', () => {
    const clock = new VirtualClock();
    const seen: [number, number][] = [];
    clock.schedule<number>(function (n = 0) {
      seen.push([n, clock.now()]);
      if (n < 3) this.schedule(n + 1, 10);
    }, 5, 0);
    clock.advanceBy(100);
    expect(seen).toEqual([[0, 5], [1, 15], [2, 25], [3, 35]]);
    expect(clock.pending).toBe(0);
  });

  it('cancels an action on unsubscribe, also one that rescheduled itself', () => {
    const clock = new VirtualClock();
    let runs = 0;
    const action = clock.schedule(function () {
      runs++;
      this.schedule(undefined, 10);
    }, 10);
    clock.advanceBy(25);
    expect(runs).toBe(2);
    expect(clock.pending).toBe(1);
    action.unsubscribe();
    expect(clock.pending).toBe(0);
    clock.advanceBy(100);
    expect(runs).toBe(2);
    expect(action.closed).toBe(true);
  });

  it('reports the next due time', () => {
    const clock = new VirtualClock();
    expect(clock.nextTime).toBe(Infinity);
    clock.schedule(() => {}, 30);
    clock.schedule(() => {}, 12);
    expect(clock.nextTime).toBe(12);
  });

  it('drives interval, timer and delay, and leaves nothing pending after unsubscribe', () => {
    const clock = new VirtualClock();
    const ticks: [number, number][] = [];
    const sub = interval(100, clock).subscribe((n) => ticks.push([n, clock.now()]));
    clock.advanceBy(350);
    expect(ticks).toEqual([[0, 100], [1, 200], [2, 300]]);
    expect(clock.pending).toBe(1);
    sub.unsubscribe();
    expect(clock.pending).toBe(0);

    const fired: number[] = [];
    timer(50, clock).subscribe(() => fired.push(clock.now()));
    const delayed: [string, number][] = [];
    of('x', 'y').pipe(delay(20, clock)).subscribe((v) => delayed.push([v, clock.now()]));
    clock.flush();
    expect(fired).toEqual([400]);
    expect(delayed).toEqual([['x', 370], ['y', 370]]);
    expect(clock.pending).toBe(0);
  });

  it('works with observeOn, which reschedules and unsubscribes its actions', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    of(1, 2, 3).pipe(observeOn(clock, 10)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([]);
    clock.advanceBy(10);
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.pending).toBe(0);
  });

  it('is independent of real time: real timers run, virtual time stands still', async () => {
    const clock = new VirtualClock();
    let ran = false;
    clock.schedule(() => (ran = true), 1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.now()).toBe(0);
    expect(ran).toBe(false);
    clock.advanceBy(1);
    expect(ran).toBe(true);
  });

  it('flush runs everything due, but refuses an endless interval', () => {
    const clock = new VirtualClock();
    let n = 0;
    clock.schedule(() => n++, 10);
    clock.schedule(() => n++, 1_000);
    clock.schedule(() => n++, Infinity); // never due
    clock.flush();
    expect(n).toBe(2);
    expect(clock.now()).toBe(1_000);
    expect(clock.pending).toBe(1);

    const endless = new VirtualClock();
    const sub = interval(1, endless).subscribe();
    expect(() => endless.flush(50)).toThrow(/ran 50 actions/);
    expect(() => endless.flush(50)).toThrow(TidemarkError);
    sub.unsubscribe();
    expect(endless.pending).toBe(0);
  });

  it('propagates an error thrown by an action, cancels that action and stays at its time', () => {
    const clock = new VirtualClock();
    const later: number[] = [];
    const failing = clock.schedule(() => {
      throw new Error('boom');
    }, 10);
    clock.schedule(() => later.push(clock.now()), 20);
    expect(() => clock.advanceBy(30)).toThrow('boom');
    expect(clock.now()).toBe(10);
    expect(failing.closed).toBe(true);
    expect(clock.pending).toBe(1);
    clock.advanceBy(20);
    expect(later).toEqual([20]);
  });

  it('validates its arguments and refuses to move from inside an action', () => {
    expect(() => new VirtualClock(NaN)).toThrow(InvalidArgumentError);
    const clock = new VirtualClock(10);
    expect(() => clock.advanceBy(-1)).toThrow(/advanceBy: ms must be a finite number >= 0, got -1/);
    expect(() => clock.advanceBy(Infinity)).toThrow(InvalidArgumentError);
    expect(() => clock.advanceTo(5)).toThrow(/time never goes back, got 5/);
    clock.schedule(() => clock.advanceBy(1), 1);
    expect(() => clock.advanceBy(1)).toThrow(/from inside a scheduled action/);
  });
});
