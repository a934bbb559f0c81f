// The engine's tag per node (a u32 it uses, e.g., as an index into its own side table), in a side
// array allocated on the first setTag: an index nobody tags pays nothing for it.
import { nodeCapacity } from './nodes';
import { dropTarget } from './symlinks';

let tags: usize = 0;
let tagCap: u32 = 0;

export function tagsBytes(): usize {
  return (<usize>tagCap) << 2;
}

export function tagOf(id: u32): u32 {
  return id < tagCap ? load<u32>(tags + ((<usize>id) << 2)) : 0;
}

export function setTag(id: u32, tag: u32): void {
  // Another object under this name: the target set for the old one is not its.
  if (tag != tagOf(id)) dropTarget(id);
  if (id >= tagCap) {
    if (tag == 0) return;
    let next = nodeCapacity();
    if (next <= id) next = id + 1;
    tags = tags == 0 ? heap.alloc((<usize>next) << 2) : heap.realloc(tags, (<usize>next) << 2);
    memory.fill(tags + ((<usize>tagCap) << 2), 0, (<usize>(next - tagCap)) << 2);
    tagCap = next;
  }
  store<u32>(tags + ((<usize>id) << 2), tag);
}

/** Ids `[first, first + count)` start untagged (a freed zip region's, before they are reused). */
export function clearTags(first: u32, count: u32): void {
  if (first >= tagCap) return;
  const end = first + count > tagCap ? tagCap : first + count;
  memory.fill(tags + ((<usize>first) << 2), 0, (<usize>(end - first)) << 2);
}

/** A reused id starts untagged. */
export function clearTag(id: u32): void {
  if (id < tagCap) store<u32>(tags + ((<usize>id) << 2), 0);
}
