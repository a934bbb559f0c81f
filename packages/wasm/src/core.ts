/**
 * One wasm instance: typed exports, views over its memory (renewed after the memory grows),
 * and moving strings and bytes in and out. Each index and each zip directory owns one
 * instance, so closing one releases all its memory (wasm memory never shrinks otherwise).
 */
import { WasmFsError } from './errors.js';
import { loadModule } from './load.js';

/** The functions assembly/index.ts exports (wasm i32/u32 and f64 are JS numbers). */
export interface CoreExports {
  readonly memory: WebAssembly.Memory;
  init(nodeCapacity: number, nameBytes: number): void;
  indexBytes(): number;
  nameArenaBytes(): number;
  nodeTableBytes(): number;
  hashTableBytes(): number;
  dirTableBytes(): number;
  tagArrayBytes(): number;
  alloc(n: number): number;
  free(p: number): void;
  valid(id: number): number;
  parentOf(id: number): number;
  kindOf(id: number): number;
  flagsOf(id: number): number;
  setFlags(id: number, flags: number): void;
  objectOf(id: number): number;
  layerOf(id: number): number;
  refOf(id: number): number;
  setSource(id: number, layer: number, ref: number): void;
  nlinkOf(id: number): number;
  tagOf(id: number): number;
  setTag(id: number, tag: number): void;
  childCount(id: number): number;
  subdirCount(id: number): number;
  firstChild(id: number): number;
  nextSibling(id: number): number;
  nameOffset(id: number): number;
  nameLength(id: number): number;
  outBase(): number;
  pathOf(id: number): number;
  listChildren(id: number): number;
  applyBatch(p: number, count: number, end: number, soft: number): number;
  applyZipRegion(region: number): number;
  beginLayer(layer: number): void;
  setBuildRoot(root: number): void;
  ordinalOf(id: number): number;
  walkNodes(start: number, p: number, len: number): number;
  resolveNodes(root: number, p: number, len: number, flags: number): number;
  setTarget(id: number, p: number, len: number): number;
  targetOf(id: number): number;
  targetCount(): number;
  copyChildren(dst: number, src: number): number;
  listMerged(dir: number): number;
  listVisits(dir: number, deep: number): number;
  listTouched(dir: number): number;
  listTypes(dir: number): number;
  setBelow(dir: number, below: number): number;
  belowDir(dir: number): number;
  buildFailedRef(): number;
  lookup(parent: number, p: number, len: number): number;
  lookupNode(parent: number, p: number, len: number): number;
  insert(
    parent: number,
    p: number,
    len: number,
    kind: number,
    flags: number,
    layer: number,
    ref: number,
  ): number;
  link(parent: number, p: number, len: number, target: number): number;
  move(id: number, parent: number, p: number, len: number): number;
  remove(id: number, recursive: number): number;
  setKind(id: number, kind: number): number;
  walk(start: number, p: number, len: number): number;
  lookupPath(start: number, p: number, len: number): number;
  walkEnd(): number;
  walkParent(): number;
  walkStart(): number;
  walkStatus(): number;
  warningCount(): number;
  warningsBase(): number;
  warningsReset(): void;
  zipCdOffset(): number;
  zipCdSize(): number;
  zipCount(): number;
  zipEocdAt(): number;
  zipErrorEntry(): number;
  zipLocate(p: number, len: number, fileSize: number): number;
  zipParseBegin(count: number, size: number, cdAt: number): number;
  zipParseChunk(p: number, len: number, last: number): number;
  zipParsed(): number;
  reserve(extra: number): void;
  zipReadZip64(p: number, len: number): number;
  zipRelease(): void;
  zipTable(): number;
  zipFirst(): number;
  zipRegion(): number;
  zipClose(region: number): void;
  zipAbort(): void;
  zipPath(region: number, i: number): number;
  zipRegionsBytes(): number;
  zipRegionBytes(region: number): number;
  zipRegionBuilt(region: number): number;
  zipWide(): number;
  zipWideCount(): number;
  zipZip64At(): number;
  liveNodes(): number;
  namesBase(): number;
  namesLength(): number;
  nodeHighWater(): number;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

export class Core {
  readonly x: CoreExports;
  private buffer: ArrayBuffer;
  private u8: Uint8Array;
  private u32: Uint32Array;
  private f64: Float64Array;
  private scratch = 0;
  private scratchCap = 0;

  private constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as unknown as CoreExports;
    this.buffer = this.x.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
  }

  static async create(): Promise<Core> {
    const module = await loadModule();
    let core: Core | undefined;
    const instance = await WebAssembly.instantiate(module, {
      env: {
        // Reached only when memory cannot grow (the parser and index check all input).
        abort(msg: number, file: number, line: number, column: number): never {
          const text = core ? `${core.utf16(msg)} at ${core.utf16(file)}:${line}:${column}` : 'abort';
          throw new WasmFsError('ENOMEM', 'wasm', undefined, { cause: new Error(text) });
        },
      },
    });
    core = new Core(instance);
    return core;
  }

  /**
   * Current views. Growing the memory detaches its old buffer, and a view over a detached buffer
   * has length 0: checking that is cheaper than reading `memory.buffer` on every access.
   */
  bytes(): Uint8Array {
    if (this.u8.length === 0) this.renew();
    return this.u8;
  }
  words(): Uint32Array {
    if (this.u32.length === 0) this.renew();
    return this.u32;
  }
  doubles(): Float64Array {
    if (this.f64.length === 0) this.renew();
    return this.f64;
  }

  private renew(): void {
    this.buffer = this.x.memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
  }

  /** Bytes of wasm memory in use by the instance (its whole linear memory). */
  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /** A reusable input buffer of at least `n` bytes (valid until the next call). */
  scratchOf(n: number): number {
    if (n > this.scratchCap) {
      if (this.scratch !== 0) this.x.free(this.scratch);
      this.scratchCap = Math.max(256, 2 ** Math.ceil(Math.log2(n)));
      this.scratch = this.x.alloc(this.scratchCap);
    }
    return this.scratch;
  }

  /** Where {@link Core.encode} writes. */
  get input(): number {
    return this.scratch;
  }

  /**
   * Writes `s` as UTF-8 at {@link Core.input}; returns its byte length. ASCII (the common case
   * for paths) is copied char by char, which beats TextEncoder for short strings; the first
   * other char hands the whole string to TextEncoder.
   */
  encode(s: string): number {
    const n = s.length;
    if (n * 3 + 1 > this.scratchCap) this.scratchOf(n * 3 + 1);
    let mem = this.u8;
    if (mem.length === 0) mem = this.bytes();
    const p = this.scratch;
    // Four chars a word: one typed-array store per four chars (a store per char cost a third of
    // a lookup). The scratch block is 8-aligned; a non-ASCII char anywhere redoes it all below.
    const words = this.u32;
    const w = p >>> 2;
    let any = 0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const a = s.charCodeAt(i);
      const b = s.charCodeAt(i + 1);
      const c = s.charCodeAt(i + 2);
      const d = s.charCodeAt(i + 3);
      any |= a | b | c | d;
      words[w + (i >>> 2)] = a | (b << 8) | (c << 16) | (d << 24);
    }
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      any |= c;
      mem[p + i] = c;
    }
    if (any >= 0x80) return encoder.encodeInto(s, mem.subarray(p, p + n * 3)).written;
    return n;
  }

  /** Copies bytes into a fresh block (caller frees it with `x.free`). */
  put(data: Uint8Array): number {
    const p = this.x.alloc(data.byteLength);
    this.bytes().set(data, p);
    return p;
  }

  text(p: number, len: number): string {
    return decoder.decode(this.bytes().subarray(p, p + len));
  }

  private utf16(p: number): string {
    if (p === 0) return '';
    const len = this.words()[(p - 4) >>> 2] ?? 0;
    return new TextDecoder('utf-16le').decode(this.bytes().subarray(p, p + len));
  }
}
