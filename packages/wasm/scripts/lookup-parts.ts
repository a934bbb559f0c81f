/**
 * Where a `NamespaceIndex.lookupPath` on the 100,000-entry zip index of bench/suites/wasm.ts
 * spends its time: each part timed alone, best of 25 interleaved rounds (the machine is shared;
 * the best round is the least disturbed one).
 *
 *   cd bench && npx tsx ../packages/wasm/scripts/lookup-parts.ts
 */
import type { Core } from '../src/core.js';
import { NamespaceIndex } from '../src/index.js';
import { jsMapFromZip, makeZip, zipEntryPath } from '../test/helpers/peers.js';

const N = 100_000;
const zip = makeZip(N);
const ix = await NamespaceIndex.create({ nodes: 1024 });
const dir = await ix.openZip({ size: zip.byteLength, read: (o, n) => zip.subarray(o, o + n) });
ix.addZipLayer(0, dir);
// The bench's 4,096 sampled paths.
const paths: string[] = [];
for (let k = 0; k < 4096; k++) paths.push(`/${zipEntryPath(Math.floor((k * 7919 * 13) % N))}`);
const pick = (i: number): string => paths[i & 4095] as string;
// The instance behind the index, to call its exports directly (a measuring tool only).
const core = (ix as unknown as { core: Core }).core;
const x = core.x;
const map = jsMapFromZip(zip);

/** Copies of `list` as UTF-8 in wasm memory: [address, length] each. */
function place(list: readonly string[]): [number, number][] {
  const encoder = new TextEncoder();
  return list.map((p) => {
    const bytes = encoder.encode(p);
    const at = x.alloc(bytes.byteLength + 8);
    core.bytes().set(bytes, at);
    return [at, bytes.byteLength];
  });
}
const full = place(paths);
const dirs = place(paths.map((p) => p.slice(0, p.lastIndexOf('/'))));
const at = (list: [number, number][], i: number): [number, number] => list[i & 4095] as [number, number];

const cases: [string, (i: number) => number][] = [
  ['Map.get (same string objects)', (i) => (map.get(pick(i)) ? 1 : 0)],
  ['copy the path into wasm memory (encode)', (i) => core.encode(pick(i))],
  ['an empty call (valid(1))', () => x.valid(1)],
  ['wasm walk of the 4,096 paths (call included)', (i) => x.lookupPath(1, ...at(full, i))],
  ['wasm walk of their directories only', (i) => x.lookupPath(1, ...at(dirs, i))],
  ['wasm walk of one path again and again', () => x.lookupPath(1, ...at(full, 0))],
  ['NamespaceIndex.lookupPath (all of it)', (i) => ix.lookupPath(pick(i))],
];
const best = new Map<string, number>();
for (let round = 0; round < 25; round++) {
  for (const [name, run] of cases) {
    let sink = 0;
    const reps = 300_000;
    const t = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) sink += run(i);
    const ns = Number(process.hrtime.bigint() - t) / reps;
    if (sink === -1) console.log('unreachable');
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, ns));
  }
}
for (const [name, ns] of best) console.log(`${name.padEnd(48)} ${ns.toFixed(1)} ns`);
dir.close();
ix.close();
