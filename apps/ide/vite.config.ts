import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { sampleLayers } from './sample-layers-plugin.js';

export default defineConfig(({ command }) => ({
  plugins: [sampleLayers()],
  server: { host: '127.0.0.1', port: 5173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  worker: { format: 'es' },
  // Only for the production bundle (see the stub); the dev server never loads that path.
  resolve:
    command === 'build'
      ? {
          alias: {
            'node:worker_threads': fileURLToPath(new URL('./src/stubs/worker-threads.ts', import.meta.url)),
          },
        }
      : {},
}));
