import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MissingPeerDependencyError, TidemarkError } from 'tidemark';
import * as kafka from 'tidemark/kafka';
import * as lmdb from 'tidemark/lmdb';
import * as testing from 'tidemark/testing';

const { MarbleSyntaxError } = testing;

describe('MissingPeerDependencyError', () => {
  it('names the API, the dependency and the fix; keeps the load error as cause', () => {
    const cause = new Error("Cannot find module 'fast-check'");
    const e = new MissingPeerDependencyError('disorderedEvents', 'fast-check', '^4', cause);
    expect(e.message).toBe('disorderedEvents needs the peer dependency fast-check ^4: npm install --save-dev fast-check');
    expect(e.name).toBe('MissingPeerDependencyError');
    expect([e.api, e.dependency, e.range]).toEqual(['disorderedEvents', 'fast-check', '^4']);
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(TidemarkError);
    expect(e).toBeInstanceOf(Error);
  });

  it('isMissingPeerDependencyError works on instances, on a second copy, and rejects others', () => {
    expect(MissingPeerDependencyError.isMissingPeerDependencyError(new MissingPeerDependencyError('a', 'b', '^1'))).toBe(true);
    expect(TidemarkError.isTidemarkError(new MissingPeerDependencyError('a', 'b', '^1'))).toBe(true);
    const secondCopy = Object.assign(new Error('x'), {
      [Symbol.for('tidemark.TidemarkError')]: true,
      [Symbol.for('tidemark.MissingPeerDependencyError')]: true,
    });
    expect(MissingPeerDependencyError.isMissingPeerDependencyError(secondCopy)).toBe(true);
    expect(MissingPeerDependencyError.isMissingPeerDependencyError(new InvalidArgumentError('x'))).toBe(false);
    expect(MissingPeerDependencyError.isMissingPeerDependencyError(new MarbleSyntaxError('a@', 2, 'x'))).toBe(false);
    expect(MissingPeerDependencyError.isMissingPeerDependencyError(new Error('x'))).toBe(false);
    expect(MissingPeerDependencyError.isMissingPeerDependencyError(null)).toBe(false);
  });

  it('is one class, exported from tidemark and re-exported by tidemark/testing, tidemark/lmdb and tidemark/kafka', () => {
    expect(testing.MissingPeerDependencyError).toBe(MissingPeerDependencyError);
    expect(lmdb.MissingPeerDependencyError).toBe(MissingPeerDependencyError);
    expect(kafka.MissingPeerDependencyError).toBe(MissingPeerDependencyError);
  });
});
