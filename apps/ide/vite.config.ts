import { defineConfig } from 'vite';
import { sourceResolve } from '../../scripts/source-condition.mjs';
import { pyodideAssets } from './pyodide-assets-plugin.js';
import { sampleLayers } from './sample-layers-plugin.js';

export default defineConfig({
  // The @vellum packages from their sources (the workspace's `vellum-source` export condition).
  ...sourceResolve(),
  plugins: [sampleLayers(), pyodideAssets()],
  server: { host: '127.0.0.1', port: 5173 },
  // Pre-bundling pyodide moves the file its own URL logic needs.
  optimizeDeps: { exclude: ['pyodide'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  worker: { format: 'es' },
});
