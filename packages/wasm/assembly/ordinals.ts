// The bulk build's ordinal per node: the position at which the layer that last laid the node
// (topmost for a merged directory) listed it, counting implicit parents when first needed — the
// engine's inode numbers of lower objects are `base(layer) + ordinal`. A side array like tags,
// allocated on first use: an index that is never bulk-built pays nothing for it.
import { nodeCapacity } from './nodes';

let ords: usize = 0;
let ordCap: u32 = 0;

export function ordinalsBytes(): usize {
  return (<usize>ordCap) << 2;
}

export function ordinalOf(id: u32): u32 {
  return id < ordCap ? load<u32>(ords + ((<usize>id) << 2)) : 0;
}

/** Ids `[first, first + count)` lose their ordinals (a freed zip region's). */
export function clearOrdinals(first: u32, count: u32): void {
  if (first >= ordCap) return;
  const end = first + count > ordCap ? ordCap : first + count;
  memory.fill(ords + ((<usize>first) << 2), 0, (<usize>(end - first)) << 2);
}

export function setOrdinal(id: u32, ordinal: u32): void {
  if (id >= ordCap) {
    let next = nodeCapacity();
    if (next <= id) next = id + 1;
    ords = ords == 0 ? heap.alloc((<usize>next) << 2) : heap.realloc(ords, (<usize>next) << 2);
    memory.fill(ords + ((<usize>ordCap) << 2), 0, (<usize>(next - ordCap)) << 2);
    ordCap = next;
  }
  store<u32>(ords + ((<usize>id) << 2), ordinal);
}
