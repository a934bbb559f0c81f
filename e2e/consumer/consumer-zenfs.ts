// @vellum/zenfs type-checked like consumer.ts, but with skipLibCheck: @zenfs/core 2.7.6's own .d.ts
// do not compile under Node 20's @types/node (they name Node 22 types, \`Temporal\`, \`Float16Array\`).
import { Vellum } from '@vellum/zenfs';
import { configure, fs } from '@zenfs/core';

export async function check(): Promise<string> {
  await configure({
    mounts: {
      '/': {
        backend: Vellum,
        lowers: [{ type: 'memory', tree: { 'a.txt': 'hi' } }],
        upper: { type: 'memory' },
      },
    },
  });
  return fs.readFileSync('/a.txt', 'utf8');
}
