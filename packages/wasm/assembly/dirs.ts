// Dir records: what only directories need (first and last child, child and subdirectory counts),
// 16 bytes each, referenced from the directory's node (N_AUX). Kept apart so a file's node stays
// 32 bytes; most nodes are files.
import { D_FIRST, D_SHIFT } from './layout';

let base: usize = 0;
let cap: u32 = 0;
let high: u32 = 1; // 0 is "none"
let freeHead: u32 = 0;

export function dirsBytes(): usize {
  return (<usize>cap) << D_SHIFT;
}

export function dirsInit(capacity: u32): void {
  cap = capacity < 16 ? 16 : capacity;
  base = heap.alloc((<usize>cap) << D_SHIFT);
  high = 1;
  freeHead = 0;
}

export function dirRec(d: u32): usize {
  return base + ((<usize>d) << D_SHIFT);
}

/** A zeroed dir record. */
export function newDir(): u32 {
  let d: u32;
  if (freeHead != 0) {
    d = freeHead;
    freeHead = load<u32>(dirRec(d) + D_FIRST);
  } else {
    if (high == cap) {
      cap += cap >> 1;
      base = heap.realloc(base, (<usize>cap) << D_SHIFT);
    }
    d = high++;
  }
  memory.fill(dirRec(d), 0, (<usize>1) << D_SHIFT);
  return d;
}

export function freeDir(d: u32): void {
  store<u32>(dirRec(d) + D_FIRST, freeHead);
  freeHead = d;
}
