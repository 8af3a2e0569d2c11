import { describe, expect, it } from 'vitest';
import { show } from '../../src/errors/show.js';

describe('show', () => {
  it('renders primitives with their JavaScript spelling', () => {
    expect(show('5')).toBe('"5"');
    expect(show(5)).toBe('5');
    expect(show(-0)).toBe('-0');
    expect(show(NaN)).toBe('NaN');
    expect(show(-Infinity)).toBe('-Infinity');
    expect(show(10n)).toBe('10n');
    expect(show(true)).toBe('true');
    expect(show(undefined)).toBe('undefined');
    expect(show(null)).toBe('null');
    expect(show(Symbol('at'))).toBe('Symbol(at)');
  });

  it('renders functions by name', () => {
    expect(show(() => 1)).toBe('a function');
    expect(show(function count() {})).toBe('function count');
  });

  it('renders objects and arrays as JavaScript literals, keeping NaN and undefined inside them (JSON would print null)', () => {
    expect(show({ a: 1 })).toBe('{ a: 1 }');
    expect(show({})).toBe('{}');
    expect(show([1, 2])).toBe('[1, 2]');
    expect(show({ at: NaN, id: undefined, 'odd key': -0 })).toBe('{ at: NaN, id: undefined, "odd key": -0 }');
    expect(show([Infinity, null])).toBe('[Infinity, null]');
  });

  it('renders Maps, Sets, Dates, Errors and class instances by what they are', () => {
    expect(show(new Map([['a', 1]]))).toBe('Map(1) { "a" => 1 }');
    expect(show(new Set([1]))).toBe('Set(1) { 1 }');
    expect(show(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(show(new TypeError('boom'))).toBe('TypeError: boom');
    class Reading {
      constructor(readonly celsius: number) {}
    }
    expect(show(new Reading(20))).toBe('Reading { celsius: 20 }');
    expect(show(Object.create(null))).toBe('{}');
  });

  it('never falls back to [object Object]: cycles are marked, deep nesting elided', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    expect(show(cyclic)).toBe('{ name: "loop", self: [Circular] }');
    expect(show({ a: { b: { c: { d: 1 } } } })).toBe('{ a: { b: { c: {…} } } }');
    const shared = { x: 1 };
    expect(show([shared, shared])).toBe('[{ x: 1 }, { x: 1 }]');
  });

  it('truncates long values to 80 characters', () => {
    const s = show({ text: 'x'.repeat(200) });
    expect(s).toHaveLength(80);
    expect(s.startsWith('{ text: "xxx')).toBe(true);
    expect(s.endsWith('...')).toBe(true);
  });
});
