import { dir, symlink, type Tree, whiteout } from '@vellum/core';

/**
 * The lowers the differential script runs on (`lowers[0]` is the top one, as in `lowerdir=`):
 * a merged directory, a whiteout and an opaque directory in the top lower over the bottom one,
 * a lower symlink, binary data, and a directory tree for rmtree/copytree.
 */
export const SCENARIO: readonly Tree[] = [
  {
    'notes.txt': 'notes\n',
    'long.txt': '0123456789abcdef',
    'link-to-base': symlink('base.txt'),
    'gone.txt': whiteout(),
    opaque: dir({ 'mine.txt': 'top' }, { opaque: true }),
    src: { 'top.py': 'TOP = 1\n' },
  },
  {
    'base.txt': 'base\n',
    'gone.txt': 'hidden by the top lower\n',
    'bin.dat': new Uint8Array([0, 1, 2, 254]),
    opaque: { 'hidden.txt': 'bottom' },
    src: { 'bottom.py': 'BOTTOM = 2\n' },
    data: { 'x.csv': '1,2\n', nested: { 'y.csv': '3\n' } },
  },
];
