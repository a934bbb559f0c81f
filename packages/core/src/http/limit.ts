/** A counting semaphore: at most `max` holders at a time, served in arrival order. */
export class Limit {
  readonly max: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    if (!(max >= 1)) throw new RangeError(`a concurrency limit must be at least 1, not ${max}`);
    this.max = max;
  }

  /** Holders right now (tests assert the cap with it). */
  get active(): number {
    return this.#active;
  }

  /** Runs `task` once a slot is free; the slot is released however it ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so #active never dips and a newcomer cannot jump the queue.
      if (next) next();
      else this.#active--;
    }
  }
}
