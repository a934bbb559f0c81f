// Recorded warnings: (entry reference, code) pairs the wrapper turns into messages.
import { grownCapacity } from './heap-util';

let list: usize = 0;
let cap: usize = 0;
let count: u32 = 0;

export function warningsReset(): void {
  count = 0;
}

export function warn(ref: u32, code: u32): void {
  const need = (<usize>count + 1) << 3;
  if (need > cap) {
    cap = grownCapacity(cap, need);
    list = list == 0 ? heap.alloc(cap) : heap.realloc(list, cap);
  }
  store<u32>(list + ((<usize>count) << 3), ref);
  store<u32>(list + ((<usize>count) << 3) + 4, code);
  count++;
}

export function warningCount(): u32 {
  return count;
}

export function warningsBase(): usize {
  return list;
}
