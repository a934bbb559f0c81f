/** ZenFS's own test data (`@zenfs/core/tests/data`) as a Vellum memory lower, so its suite runs over lower files. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MemoryEntry, MemoryLayer } from '@vellum/core';

/** `@zenfs/core`'s `tests` folder (the package exports no path to it, so it is found from the entry point). */
export const zenfsTests = join(dirname(fileURLToPath(import.meta.resolve('@zenfs/core'))), '..', 'tests');

export function dataLayer(): MemoryLayer {
  const root = join(zenfsTests, 'data');
  const entries: MemoryEntry[] = [];
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (!statSync(path).isFile()) continue;
    entries.push({ path: `/${name}`, kind: 'file', data: readFileSync(path), mode: 0o644 });
  }
  return MemoryLayer.fromEntries(entries, { id: 'zenfs-tests-data' });
}
