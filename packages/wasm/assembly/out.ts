// One output buffer for the exports that return more than a number (paths, lists of ids): the
// caller reads it at the address returned before its next call.
import { grownCapacity } from './heap-util';

let out: usize = 0;
let outCap: usize = 0;

/** The output buffer (valid until the next call that writes it). */
export function outBase(): usize {
  return out;
}

/** Makes the output buffer hold at least `n` bytes (its contents are not kept); returns it. */
export function ensureOut(n: usize): usize {
  if (n > outCap) {
    outCap = grownCapacity(outCap, n);
    if (out != 0) heap.free(out);
    out = heap.alloc(outCap);
  }
  return out;
}

/** Makes the output buffer hold at least `n` bytes, keeping what it holds (a list grown as found). */
export function growOut(n: usize): usize {
  if (n > outCap) {
    outCap = grownCapacity(outCap, n);
    out = out == 0 ? heap.alloc(outCap) : heap.realloc(out, outCap);
  }
  return out;
}
