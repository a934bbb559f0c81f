/**
 * `includeAllLayerTypes` (`@vellum/core/all-layer-types`, what the worker calls): every built-in
 * kind opens through the statically imported openers, and a kind registered with
 * `registerLayerType` before it stays as registered.
 */
import 'fake-indexeddb/auto';
import { MemoryUpper, Overlay, openLower, openUpper, registerLayerType } from '@vellum/core';
import { includeAllLayerTypes } from '@vellum/core/all-layer-types';
import { IndexedDBUpper } from '@vellum/core/idb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXPECTED, stackDescriptors, startStackServer } from './descriptors/stack.js';
import type { TestServer } from './net/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startStackServer();
});
afterAll(() => server.close());

describe('includeAllLayerTypes', () => {
  test('every lower kind and the idb upper open from their descriptors after it (twice is harmless)', async () => {
    includeAllLayerTypes();
    includeAllLayerTypes();
    const lowers = await Promise.all(stackDescriptors(server).map((d) => openLower(d)));
    const upper = await openUpper({ type: 'idb', name: 'all-layer-types' });
    expect(upper).toBeInstanceOf(IndexedDBUpper);
    const ov = await Overlay.create({ lowers, upper });
    for (const [path, text] of Object.entries(EXPECTED)) expect(await ov.readFile(path, 'utf8')).toBe(text);
    await ov.close();
  });

  test('keeps a kind registered with registerLayerType', async () => {
    const mine = new MemoryUpper();
    registerLayerType('upper', 'idb', () => mine);
    includeAllLayerTypes();
    expect(await openUpper({ type: 'idb', name: 'not-opened' })).toBe(mine);
  });
});
