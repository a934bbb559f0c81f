import { defineConfig } from 'vite';
import { sourceResolve } from '../../scripts/source-condition.mjs';
import { sampleLayers } from './sample-layers-plugin.js';

export default defineConfig({
  // The @vellum packages from their sources (the workspace's `vellum-source` export condition).
  ...sourceResolve(),
  plugins: [sampleLayers()],
  server: { host: '127.0.0.1', port: 5173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  worker: { format: 'es' },
});
