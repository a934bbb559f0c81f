/**
 * Encodes layer entries for `applyBatch` (assembly/build.ts): records of
 * [kind u8][flags u8][u16 0][ref u32][len u32][path] and, for hard links (kind 5),
 * [tlen u32][target]. Paths are UTF-8; no JS string is kept per entry.
 */
import { Flag, Kind, NO_REF } from './layout.js';

/** One entry of a lower layer, as the engine's `LowerLayer.entries()` lists them. */
export interface IndexEntry {
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'symlink' | 'whiteout' | 'hardlink';
  /** The layer's own reference for the entry (a u32, e.g. an index into its entry list). */
  readonly ref?: number;
  /** Directories: nothing below this directory in lower layers is merged. */
  readonly opaque?: boolean;
  /** Hard links: the path of the file (in the same layer) this is another name of. */
  readonly linkOf?: string;
  /**
   * Files: the link count the layer gives (its `nlink`), which a higher layer's whiteout does not
   * lower; above 1 the node is flagged `Linked` (see `NamespaceIndex.visits`).
   */
  readonly nlink?: number;
}

const KIND_CODE = {
  file: Kind.File,
  dir: Kind.Dir,
  symlink: Kind.Symlink,
  whiteout: Kind.Whiteout,
  hardlink: 5,
};
const encoder = new TextEncoder();

export class BatchWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  count = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.byteLength) return;
    let cap = this.buf.byteLength * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  private text(s: string): number {
    this.room(4 + s.length * 3);
    const at = this.length;
    const { written } = encoder.encodeInto(s, this.buf.subarray(at + 4));
    this.view.setUint32(at, written, true);
    this.length = at + 4 + written;
    return written;
  }

  add(entry: IndexEntry): void {
    this.room(8);
    const at = this.length;
    this.buf[at] = KIND_CODE[entry.kind];
    this.buf[at + 1] =
      entry.kind === 'dir' && entry.opaque === true
        ? Flag.Opaque
        : entry.kind === 'file' && (entry.nlink ?? 1) > 1
          ? Flag.Linked
          : 0;
    this.view.setUint16(at + 2, 0, true);
    this.view.setUint32(at + 4, entry.ref ?? NO_REF, true);
    this.length = at + 8;
    this.text(entry.path);
    if (entry.kind === 'hardlink') this.text(entry.linkOf ?? '');
    this.count++;
  }

  /** A hard link's place in its layer's numbering (kind 6): its implicit parents and one ordinal. */
  reserve(path: string, ref: number): void {
    this.room(8);
    const at = this.length;
    this.buf[at] = 6;
    this.buf[at + 1] = 0;
    this.view.setUint16(at + 2, 0, true);
    this.view.setUint32(at + 4, ref, true);
    this.length = at + 8;
    this.text(path);
    this.count++;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
    this.count = 0;
  }
}
