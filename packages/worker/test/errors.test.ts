/** Errors across the worker boundary keep what a caller matches on, the kind of a lost store's cause included. */
import { FsError, StoreLossError } from '@vellum/core';
import { describe, expect, it } from 'vitest';
import { fromWireError, toWireError } from '../src/errors.js';

describe('errors across the boundary', () => {
  it("a lost store's EIO keeps its cause's kind and message", () => {
    const cause = new StoreLossError('store-rolled-back', 'vellum-upper:w', { seq: 7, timeMs: 0 }, 5);
    const error = fromWireError(
      toWireError(new FsError('EIO', 'open', 'vellum-upper:w', undefined, { cause })),
    );
    expect(error).toMatchObject({ code: 'EIO', syscall: 'open', path: 'vellum-upper:w' });
    expect(error.cause).toMatchObject({ kind: 'store-rolled-back', message: cause.message });
  });

  it('a cause without a kind crosses as its message alone', () => {
    const error = fromWireError(
      toWireError(new FsError('EIO', 'write', '/a', undefined, { cause: new Error('x') })),
    );
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as { kind?: unknown }).kind).toBeUndefined();
  });
});
