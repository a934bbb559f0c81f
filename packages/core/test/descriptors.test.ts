/**
 * Layer descriptors in core: `openLower`/`openUpper` build every kind from plain data,
 * an unknown kind or a zip without a source fails with EINVAL, and a registered kind
 * replaces how one is built.
 */
import 'fake-indexeddb/auto';
import {
  isLayerDescriptor,
  type LayerOpenContext,
  MemoryLayer,
  MemoryUpper,
  Overlay,
  openLower,
  openUpper,
  registerLayerType,
} from '@vellum/core';
import { IndexedDBUpper } from '@vellum/core/idb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXPECTED, stackDescriptors, startStackServer } from './descriptors/stack.js';
import type { TestServer } from './net/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startStackServer();
});
afterAll(() => server.close());

describe('openLower / openUpper', () => {
  test('every lower kind from its descriptor, stacked under a memory upper', async () => {
    const warnings: string[] = [];
    const context: LayerOpenContext = { onWarning: (w) => void warnings.push(w.name ?? w.message) };
    const lowers = await Promise.all(stackDescriptors(server).map((d) => openLower(d, context)));
    const ov = await Overlay.create({ lowers, upper: await openUpper({ type: 'memory' }) });
    for (const [path, text] of Object.entries(EXPECTED)) expect(await ov.readFile(path, 'utf8')).toBe(text);
    expect(ov.existsSync('/big.txt')).toBe(false);
    expect(warnings).toEqual([expect.stringContaining('big.txt')]);
    // The descriptor's options reached the layer: its id and default mtime.
    expect(lowers[0]?.id).toBe('top');
    expect((await ov.stat('/top.txt')).mtimeMs).toBe(1000);
    ov.close();
  });

  test('a memory lower from flat entries (what a worker receives) equals one from a tree', async () => {
    const fromEntries = await openLower({
      type: 'memory',
      entries: [{ path: '/a.txt', kind: 'file', data: new TextEncoder().encode('a') }],
      id: 'e',
    });
    const ov = await Overlay.create({ lowers: [fromEntries], upper: new MemoryUpper() });
    expect(await ov.readFile('/a.txt', 'utf8')).toBe('a');
    ov.close();
  });

  test('an idb upper with all its options; what it stored is there on reopening', async () => {
    const name = `descriptor-idb-${Date.now()}`;
    const upper = await openUpper({ type: 'idb', name, writeBack: { delayMs: 5 }, durability: 'relaxed' });
    expect(upper).toBeInstanceOf(IndexedDBUpper);
    const ov = await Overlay.create({ lowers: [], upper });
    await ov.writeFile('/kept.txt', 'kept');
    await ov.close();
    const again = await Overlay.create({
      lowers: [],
      upper: await openUpper({ type: 'idb', name, mustExist: true }),
    });
    expect(await again.readFile('/kept.txt', 'utf8')).toBe('kept');
    await again.close();
    await expect(
      Overlay.create({
        lowers: [],
        upper: await openUpper({ type: 'idb', name: `${name}-none`, mustExist: true }),
      }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('an unknown kind, and a zip with no source, fail with EINVAL naming the reason', async () => {
    await expect(openLower({ type: 'ftp' } as never)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringMatching(/unknown lower layer type "ftp" \(known: memory, zip, http;/),
    });
    await expect(openUpper({ type: 's3' } as never)).rejects.toThrow(/unknown upper layer type "s3"/);
    await expect(openUpper({ type: 'opfs' } as never)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining('needs a `name`'),
    });
    await expect(openLower({ type: 'zip' } as never)).rejects.toMatchObject({
      code: 'EINVAL',
      message: expect.stringContaining('needs `url` or `data`'),
    });
  });

  test('isLayerDescriptor tells descriptors from layer objects', () => {
    expect(isLayerDescriptor({ type: 'memory' })).toBe(true);
    expect(isLayerDescriptor({ type: 'idb', name: 'x' })).toBe(true);
    expect(isLayerDescriptor(new MemoryUpper())).toBe(false);
    expect(isLayerDescriptor(MemoryLayer.fromTree({}))).toBe(false);
    expect(isLayerDescriptor('memory')).toBe(false);
  });

  test('registerLayerType adds a kind', async () => {
    registerLayerType('upper', 'scratch' as 'memory', () => new MemoryUpper());
    const upper = await openUpper({ type: 'scratch' } as never);
    expect(upper).toBeInstanceOf(MemoryUpper);
  });
});
