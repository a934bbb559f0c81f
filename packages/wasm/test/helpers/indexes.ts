/** Fresh indexes for a test file, each closed after the test that made it. */
import { afterEach } from 'vitest';
import { NamespaceIndex } from '../../src/index.js';

/** Registers the closing (call at a test file's top level); returns the maker. */
export function indexPerTest(): (options?: {
  nodes?: number;
  nameBytes?: number;
}) => Promise<NamespaceIndex> {
  const open: NamespaceIndex[] = [];
  afterEach(() => {
    for (const index of open.splice(0)) index.close();
  });
  return async (options) => {
    const index = await NamespaceIndex.create(options);
    open.push(index);
    return index;
  };
}
