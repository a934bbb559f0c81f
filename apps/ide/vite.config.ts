import { defineConfig } from 'vite';
import { sampleLayers } from './sample-layers-plugin.js';

export default defineConfig({
  plugins: [sampleLayers()],
  server: { host: '127.0.0.1', port: 5173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  worker: { format: 'es' },
});
