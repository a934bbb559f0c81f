/**
 * Transfer accounting for network layers: counters tests assert on, and progress events a UI can
 * draw a bar from, per layer and summed over every layer that shares one {@link TransferMeter}.
 */

/** One layer's transfer so far. */
export interface TransferProgress {
  /** The layer's URL. */
  readonly source: string;
  /** Body bytes received. */
  readonly loaded: number;
  /** Body bytes announced by the requests made so far (ranges asked for, or Content-Length). */
  readonly expected: number;
}

/** A progress event: this layer's figures and the totals of every layer on the same meter. */
export interface ProgressEvent extends TransferProgress {
  /** Bytes received so far by every layer sharing the meter. */
  readonly totalLoaded: number;
  /** Bytes expected so far by every layer sharing the meter (grows as layers learn sizes). */
  readonly totalExpected: number;
}

/**
 * Sums the transfers of several layers; give the same meter to each layer's `meter` option.
 *
 * @example
 * ```ts
 * const meter = new TransferMeter((p) => bar.update(p.totalLoaded / p.totalExpected));
 * const base = await ZipLayer.open(url, { meter });
 * const lesson = await HttpLayer.open(lessonUrl, { meter });
 * ```
 */
export class TransferMeter {
  /** Bytes received so far by every layer given this meter. */
  totalLoaded = 0;
  /** Bytes expected so far by every layer given this meter. */
  totalExpected = 0;
  readonly #listener: ((event: ProgressEvent) => void) | undefined;

  /** `listener` is called on every transfer of any of the layers, with the totals. */
  constructor(listener?: (event: ProgressEvent) => void) {
    this.#listener = listener;
  }

  /** @internal Called by a layer's counters. */
  add(layer: TransferProgress, loaded: number, expected: number): void {
    this.totalLoaded += loaded;
    this.totalExpected += expected;
    this.#listener?.({ ...layer, totalLoaded: this.totalLoaded, totalExpected: this.totalExpected });
  }
}

/** Requests and bytes one layer has made and received. */
export interface TransferStats {
  /** HTTP requests sent (retries included). */
  requests: number;
  /** Body bytes received. */
  bytes: number;
}

/** @internal The per-layer counters behind `stats` and the progress events. */
export class TransferCounter implements TransferStats {
  requests = 0;
  bytes = 0;
  expected = 0;
  readonly source: string;
  readonly #meter: TransferMeter | undefined;
  readonly #listener: ((event: ProgressEvent) => void) | undefined;

  constructor(source: string, meter?: TransferMeter, listener?: (event: ProgressEvent) => void) {
    this.source = source;
    this.#meter = meter;
    this.#listener = listener;
  }

  request(): void {
    this.requests++;
  }

  /** Bytes a response announced (its Content-Length, or the range asked for). */
  expect(bytes: number): void {
    this.#add(0, bytes);
  }

  received(bytes: number): void {
    this.bytes += bytes;
    this.#add(bytes, 0);
  }

  #add(loaded: number, expected: number): void {
    this.expected += expected;
    const mine = { source: this.source, loaded: this.bytes, expected: this.expected };
    this.#meter?.add(mine, loaded, expected);
    if (this.#listener) {
      const totals = this.#meter ?? { totalLoaded: this.bytes, totalExpected: this.expected };
      this.#listener({ ...mine, totalLoaded: totals.totalLoaded, totalExpected: totals.totalExpected });
    }
  }

  snapshot(): TransferStats {
    return { requests: this.requests, bytes: this.bytes };
  }
}
