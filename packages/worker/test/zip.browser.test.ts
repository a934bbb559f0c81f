/** A zip lower built in a Chromium module worker (the wasm directory parser loads inside the worker). */
import { writeZip } from '@vellum/core/zip';
import { expect, test } from 'vitest';
import { createOverlayWorker, type WarningDetail } from '../src/index.js';

const encoder = new TextEncoder();

test('a zip from bytes in a module worker, with its warnings, walked with origins', async () => {
  const zip = writeZip([
    { path: 'src/main.ts', kind: 'file', data: encoder.encode('export {};\n'), mode: 0o644 },
    { path: 'big.bin', kind: 'file', data: new Uint8Array(4096), mode: 0o644 },
  ]);
  const warnings: WarningDetail[] = [];
  const fs = await createOverlayWorker({
    lowers: [{ type: 'zip', data: zip, maxEntrySize: 1024 }],
    upper: { type: 'memory' },
    onWarning: (w) => void warnings.push(w),
  });
  expect(warnings).toEqual([expect.objectContaining({ layer: 0, kind: 'rejected-entry', name: 'big.bin' })]);
  expect(await fs.readFile('/src/main.ts', 'utf8')).toBe('export {};\n');
  await fs.writeFile('/src/new.ts', 'new');
  const walked = await fs.walk('/', { origins: true });
  expect(walked.map((e) => [e.path, e.origin?.layer])).toEqual([
    ['/src', 'upper'],
    ['/src/main.ts', 0],
    ['/src/new.ts', 'upper'],
  ]);
  await fs.close();
});
