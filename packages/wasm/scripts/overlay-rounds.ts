/**
 * Whether the shared index gives back what an overlay over a zip took once the overlay is closed,
 * while another zip stays open (the instance lives on): rounds of parse zip B, build it under an
 * overlay directory, close the directory, remove the overlay's tree (and, every other round, in
 * the other order). Prints the instance's memory and names bytes after chosen rounds.
 *
 *   cd bench && npx tsx ../packages/wasm/scripts/overlay-rounds.ts [rounds] [entries]
 */
import { Kind, NamespaceIndex } from '../src/index.js';
import { makeZip } from '../test/helpers/peers.js';

const rounds = Number(process.argv[2] ?? 40);
const entries = Number(process.argv[3] ?? 10_000);
const source = (zip: Uint8Array) => ({
  size: zip.byteLength,
  read: (o: number, n: number) => zip.subarray(o, o + n),
});
const zipA = source(makeZip(entries));
const zipB = source(makeZip(entries));
const ix = await NamespaceIndex.create();
const a = await ix.openZip(zipA);
ix.addZipLayer(0, a, ix.insert(ix.root, 'a', { kind: Kind.Dir }));
const mib = (n: number): string => (n / 2 ** 20).toFixed(3);
const report = new Set([1, 2, 10, 20, 40, rounds]);
for (let r = 1; r <= rounds; r++) {
  const b = await ix.openZip(zipB);
  const root = ix.insert(ix.root, 'overlay', { kind: Kind.Dir });
  ix.addZipLayer(1, b, root);
  if (r % 2 === 0) b.close();
  ix.remove(root, { recursive: true });
  if (r % 2 !== 0) b.close();
  if (report.has(r)) {
    const m = ix.memoryBreakdown();
    console.log(`round ${r}: memory ${mib(m.total)} MiB, names ${mib(m.names)} MiB, zip ${mib(m.zip)} MiB`);
  }
}
ix.close();
