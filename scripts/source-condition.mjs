// Inside the workspace every @vellum package runs from its TypeScript sources: each package.json
// `exports`/`imports` entry starts with this custom condition, pointing at src/*.ts. Published
// builds never set it (they resolve `types`/`import` to dist/); Vite, Vitest, tsc
// (tsconfig.base.json `customConditions`) and Node or tsx (`--conditions`) set it here.
import { defaultClientConditions, defaultServerConditions } from 'vite';

export const SOURCE_CONDITION = 'vellum-source';

/** The Node flag that resolves the sources (tsx takes it too; worker_threads inherit it). */
export const SOURCE_NODE_FLAG = `--conditions=${SOURCE_CONDITION}`;

/**
 * The part of a Vite config that resolves @vellum packages to their sources, for pages and
 * workers (`resolve`) and for Vitest's Node side (`ssr.resolve`).
 *
 * @returns {{ resolve: { conditions: string[] }, ssr: { resolve: { conditions: string[] } } }}
 */
export function sourceResolve() {
  return {
    resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  };
}
