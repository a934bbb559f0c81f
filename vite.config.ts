import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { stopServiceWorkers } from './packages/preview/test/browser-commands.js';
import { CHROMIUM_ARGS, locateBrowser } from './scripts/find-browser.mjs';
import { SOURCE_NODE_FLAG, sourceResolve } from './scripts/source-condition.mjs';

// `pnpm test` (scripts/test.mjs) finds or installs a browser and exports VELLUM_CHROMIUM; a bare
// `vitest` looks the same way but never installs. With none found, Playwright's own default is tried.
const executablePath = process.env.VELLUM_CHROMIUM ?? (await locateBrowser())?.path;

export default defineConfig({
  // Every @vellum package from its sources (the `vellum-source` export condition); e2e/consumer.test.ts checks the builds.
  ...sourceResolve(),
  test: {
    projects: [
      {
        ...sourceResolve(),
        test: {
          name: 'node',
          // Node itself (externalized modules, worker_threads the tests start) resolves the sources too.
          execArgv: [SOURCE_NODE_FLAG],
          environment: 'node',
          include: ['packages/*/test/**/*.test.ts', 'bench/**/*.test.ts', 'e2e/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.browser.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...sourceResolve(),
        // Cross-origin isolation (SharedArrayBuffer) for @vellum/worker's synchronous channel.
        server: {
          headers: {
            'Cross-Origin-Opener-Policy': 'same-origin',
            'Cross-Origin-Embedder-Policy': 'require-corp',
          },
        },
        // Served as is (plain ESM): pre-bundling it on first use would make Vite reload a running test.
        optimizeDeps: { exclude: ['comlink'] },
        test: {
          name: 'browser',
          // Starts the faulty HTTP server in Node for zip-http.browser.test.ts (a page cannot listen).
          globalSetup: ['packages/core/test/net/global-setup.ts'],
          include: ['packages/*/test/**/*.browser.test.ts', 'e2e/**/*.browser.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
            commands: { stopServiceWorkers },
          },
        },
      },
    ],
  },
});
