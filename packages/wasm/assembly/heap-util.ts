// Growable raw blocks on the TLSF heap (runtime "minimal"): nothing here is a managed object.

/** Capacity after growth: at least `need`, doubling so appends stay amortized O(1). */
export function grownCapacity(cap: usize, need: usize): usize {
  let next = cap < 64 ? <usize>64 : cap;
  while (next < need) next <<= 1;
  return next;
}

/** A fresh zeroed block. */
export function allocZeroed(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}
