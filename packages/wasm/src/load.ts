/**
 * Loads the compiled module once per realm: read from disk under Node, fetched (and compiled
 * while streaming) elsewhere; which of the two is chosen by the `node` export condition
 * (`#compile`), so a browser bundle holds no `node:` import.
 */
import { compileUrl } from '#compile';

/**
 * The URL of the built module: `dist/vellum.wasm` (from `src/` it is `../dist/`; the build
 * rewrites it to `./vellum.wasm` in `dist/load.js`). Written as `new URL('…', import.meta.url)`,
 * the pattern Vite and webpack 5 follow to copy the file into an app's assets; a bundler that
 * leaves it as is (esbuild, Rollup without a plugin) wants `vellum.wasm` copied beside the
 * bundle, or {@link setWasmSource}.
 */
export const WASM_URL = new URL('../dist/vellum.wasm', import.meta.url);

let source: URL | WebAssembly.Module = WASM_URL;
let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * Where the module comes from, instead of {@link WASM_URL}: a URL (a CDN, a path your server
 * maps) or a module you compiled. Call it before the first index or zip directory is made;
 * later it throws, since every index shares the module already loaded.
 *
 * @example
 * ```ts
 * import { setWasmSource } from '@vellum/wasm';
 * setWasmSource(new URL('/static/vellum.wasm', location.href));
 * ```
 */
export function setWasmSource(from: string | URL | WebAssembly.Module): void {
  if (compiled !== undefined)
    throw new Error('@vellum/wasm: the module is already loaded; set its source first');
  source = typeof from === 'string' ? new URL(from, globalThis.location?.href) : from;
}

/**
 * The compiled module, shared by every index and zip directory.
 *
 * @example
 * ```ts
 * const module = await loadModule(); // later calls return the same promise
 * ```
 */
export function loadModule(): Promise<WebAssembly.Module> {
  const from = source;
  compiled ??= (from instanceof URL ? compileUrl(from) : Promise.resolve(from)).catch((error: unknown) => {
    compiled = undefined;
    throw error;
  });
  return compiled;
}
