/** Suites over OpfsUpper on the in-memory OPFS stand-in: one workspace per upper, reopened by name. */
import { OpfsUpper, type OpfsUpperOptions } from '../src/opfs/index.js';
import type { UpperEnv } from './helpers.js';
import { OpfsStandIn } from './opfs-stand-in.js';

let serial = 0;

/** `options` (inlineBelow, compactBytes) apply to every upper made and reopened. */
export function opfsEnv(label: string, options: Omit<OpfsUpperOptions, 'name' | 'opfs'> = {}): UpperEnv {
  const opfs = new OpfsStandIn();
  return {
    name: label,
    make: () => new OpfsUpper({ ...options, name: `test-${serial++}`, opfs: opfs.getDirectory }),
    // A reload: the old upper lets go of the workspace (its access handles are locks), a new one opens it.
    again: async (upper) => {
      if (!(upper instanceof OpfsUpper)) return upper;
      await upper.close();
      return new OpfsUpper({ ...options, name: upper.name, opfs: opfs.getDirectory });
    },
  };
}
