/**
 * A few file descriptors kept open for ranged reads, least recently used closed first: a
 * sequential read of a large file in 128 KiB pieces (a FUSE read, a copy-up) would otherwise
 * open and close the file once per piece.
 *
 * A descriptor is lent (`acquire`) and given back (`release`): one evicted while an
 * asynchronous read still uses it is closed only when that read gives it back, so its number
 * is never reused under a read in flight.
 */
import * as fs from 'node:fs';

interface Slot {
  fd: number;
  users: number;
  evicted: boolean;
}

/** A borrowed descriptor: read through `fd`, then call `release` once. */
export interface FdLease {
  readonly fd: number;
  release(): void;
}

export class FdCache {
  readonly #open = new Map<string, Slot>();
  readonly #limit: number;

  constructor(limit = 32) {
    this.#limit = limit;
  }

  /** An open read-only descriptor for `path` (opened now or kept from before). */
  acquire(path: string): FdLease {
    let slot = this.#open.get(path);
    if (slot !== undefined) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.#open.delete(path);
    } else {
      slot = {
        fd: fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW),
        users: 0,
        evicted: false,
      };
    }
    this.#open.set(path, slot);
    slot.users++;
    if (this.#open.size > this.#limit) {
      const [oldest, old] = this.#open.entries().next().value as [string, Slot];
      this.#open.delete(oldest);
      this.#retire(old);
    }
    const held = slot;
    let released = false;
    return {
      fd: held.fd,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.evicted && held.users === 0) fs.closeSync(held.fd);
      },
    };
  }

  /** Forgets the descriptor of `path` (closed once unused), e.g. after a read through it failed. */
  drop(path: string): void {
    const slot = this.#open.get(path);
    if (slot === undefined) return;
    this.#open.delete(path);
    this.#retire(slot);
  }

  /** Closes every descriptor (those still lent, once given back). */
  close(): void {
    for (const slot of this.#open.values()) this.#retire(slot);
    this.#open.clear();
  }

  #retire(slot: Slot): void {
    slot.evicted = true;
    if (slot.users === 0) fs.closeSync(slot.fd);
  }
}
