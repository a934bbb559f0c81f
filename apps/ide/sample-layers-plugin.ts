/**
 * Vite plugin: builds the sample project's layer packs (base + lesson) in memory and serves them as
 * static files under /layers/ — from a middleware in dev, as emitted assets in a build. Generated, not
 * committed, so the repository holds the generator (a few KB) instead of a few hundred files.
 */
import type { Plugin } from 'vite';
import { encodePack, type SourceEntry } from './src/layers/pack.js';
import { lessonLayer } from './src/sample/lesson.js';
import { sampleProject } from './src/sample/project.js';

/** Fixed so that rebuilding gives the same bytes and the same layer ids. */
const RELEASED = Date.UTC(2025, 0, 1);

/** The stack the page mounts, topmost first (like `lowerdir=`). */
export const STACK: readonly { name: string; make: () => SourceEntry[] }[] = [
  { name: 'lesson', make: lessonLayer },
  { name: 'base', make: sampleProject },
];

function buildAssets(): Map<string, { body: Uint8Array | string; type: string }> {
  const files = new Map<string, { body: Uint8Array | string; type: string }>();
  for (const layer of STACK) {
    const { manifest, blob } = encodePack(layer.name, RELEASED, layer.make());
    files.set(`layers/${layer.name}.json`, { body: JSON.stringify(manifest), type: 'application/json' });
    files.set(`layers/${layer.name}.bin`, { body: blob, type: 'application/octet-stream' });
  }
  files.set('layers/stack.json', {
    body: JSON.stringify({ lowers: STACK.map((l) => l.name) }),
    type: 'application/json',
  });
  return files;
}

export function sampleLayers(): Plugin {
  let assets: ReturnType<typeof buildAssets> | undefined;
  const get = (): ReturnType<typeof buildAssets> => {
    assets ??= buildAssets();
    return assets;
  };
  return {
    name: 'vellum-sample-layers',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '').split('?')[0]?.replace(/^\//, '') ?? '';
        const file = get().get(path);
        if (!file) return next();
        const body = typeof file.body === 'string' ? Buffer.from(file.body) : Buffer.from(file.body);
        res.setHeader('Content-Type', file.type);
        res.setHeader('Content-Length', String(body.length));
        res.setHeader('Cache-Control', 'no-cache');
        res.end(body);
      });
    },
    generateBundle() {
      for (const [fileName, file] of get()) this.emitFile({ type: 'asset', fileName, source: file.body });
    },
  };
}
