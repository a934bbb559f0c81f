/**
 * Plain-JS counterparts of the wasm core, for differential tests and the bench (bench/suites/
 * wasm.ts): a zip generator on fflate, fflate's and zip.js's directory listings, and a
 * `Map<string, Entry>` index built from a listing.
 */
import { BlobReader, ZipReader } from '@zip.js/zip.js';
import { unzipSync, zipSync } from 'fflate';
import { writeZip } from './zip-writer.js';

/** The path of entry `i` of a synthetic archive: 10 top directories, 100 per leaf directory. */
export function zipEntryPath(i: number): string {
  return `t${i % 10}/d${Math.floor(i / 1000)}/f${i}.txt`;
}

/**
 * A stored (no compression) archive of `count` tiny files, written by fflate — or, from 65,535
 * entries on, by the Node zlib writer, since fflate writes no Zip64 records.
 */
export function makeZip(count: number): Uint8Array {
  if (count >= 0xffff) {
    const data = new Uint8Array(1);
    return writeZip(
      Array.from({ length: count }, (_, i) => ({ name: zipEntryPath(i), data, method: 0 as const })),
    );
  }
  const files: Record<string, [Uint8Array, { level: 0 }]> = {};
  const data = new Uint8Array(1);
  for (let i = 0; i < count; i++) files[zipEntryPath(i)] = [data, { level: 0 }];
  return zipSync(files);
}

/** fflate's listing: the directory is parsed, no entry is inflated. Returns the names. */
export function listWithFflate(zip: Uint8Array): string[] {
  const names: string[] = [];
  unzipSync(zip, {
    filter: (file) => {
      names.push(file.name);
      return false;
    },
  });
  return names;
}

/** zip.js's `getEntries()` over the bytes in a Blob. Returns the names. */
export async function listWithZipJs(zip: Uint8Array): Promise<string[]> {
  const reader = new ZipReader(new BlobReader(new Blob([zip as Uint8Array<ArrayBuffer>])));
  const entries = await reader.getEntries();
  await reader.close();
  return entries.map((e) => e.filename);
}

/** What a JS index keeps per entry. */
export interface JsEntry {
  readonly index: number;
  readonly size: number;
  readonly compressedSize: number;
  readonly dir: boolean;
}

/** A flat `Map<path, Entry>` built from fflate's listing (the JS way to index a zip). */
export function jsMapFromZip(zip: Uint8Array): Map<string, JsEntry> {
  const map = new Map<string, JsEntry>();
  let index = 0;
  unzipSync(zip, {
    filter: (file) => {
      const dir = file.name.endsWith('/');
      map.set(`/${dir ? file.name.slice(0, -1) : file.name}`, {
        index: index++,
        size: file.originalSize,
        compressedSize: file.size,
        dir,
      });
      return false;
    },
  });
  return map;
}

/** A tree of `Map`s like the engine's lower index (one map per directory). */
export interface JsDir {
  readonly children: Map<string, JsDir | number>;
}

export function jsTree(paths: Iterable<[string, number]>): JsDir {
  const root: JsDir = { children: new Map() };
  for (const [path, value] of paths) {
    const parts = path.split('/').filter(Boolean);
    let dir = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i] as string;
      let next = dir.children.get(name);
      if (typeof next !== 'object') {
        next = { children: new Map() };
        dir.children.set(name, next);
      }
      dir = next;
    }
    dir.children.set(parts[parts.length - 1] as string, value);
  }
  return root;
}

/** The engine's walk: split into components (as splitPath does), one Map probe per component. */
export function jsLookup(root: JsDir, path: string): JsDir | number | undefined {
  let node: JsDir | number | undefined = root;
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47) {
      if (i > start) {
        const part = path.slice(start, i);
        if (part !== '.') {
          if (typeof node !== 'object') return undefined;
          node = node.children.get(part);
        }
      }
      start = i + 1;
    }
  }
  return node;
}
