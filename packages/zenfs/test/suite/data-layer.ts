/** ZenFS's own test data (`@zenfs/core/tests/data`) as a Vellum memory lower, so its suite runs over lower files. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MemoryEntry, MemoryLayer } from '@vellum/core';

/** `@zenfs/core`'s `tests` folder (the package exports no path to it, so it is found from the entry point). */
export const zenfsTests = join(dirname(fileURLToPath(import.meta.resolve('@zenfs/core'))), '..', 'tests');

/** The files of ZenFS's `tests/data` (a flat folder), by name. */
export function dataFiles(): { name: string; data: Uint8Array }[] {
  const root = join(zenfsTests, 'data');
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isFile())
    .map((name) => ({ name, data: readFileSync(join(root, name)) }));
}

export function dataLayer(): MemoryLayer {
  const entries: MemoryEntry[] = dataFiles().map(({ name, data }) => ({
    path: `/${name}`,
    kind: 'file',
    data,
    mode: 0o644,
  }));
  return MemoryLayer.fromEntries(entries, { id: 'zenfs-tests-data' });
}
