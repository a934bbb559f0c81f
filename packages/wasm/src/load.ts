/**
 * Loads the compiled module once per realm: read with `fs` under Node, fetched (and compiled
 * while streaming) in a browser. The URL is relative to this file so bundlers (Vite) see it.
 */

let compiled: Promise<WebAssembly.Module> | undefined;

/** The URL of the built module (`pnpm --filter @vellum/wasm build` makes it). */
export const WASM_URL = new URL('../build/vellum.wasm', import.meta.url);

async function compile(): Promise<WebAssembly.Module> {
  if (WASM_URL.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(WASM_URL);
    } catch (error) {
      throw new Error(
        `@vellum/wasm: ${WASM_URL.pathname} is missing; run \`pnpm --filter @vellum/wasm build\``,
        {
          cause: error,
        },
      );
    }
    return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  }
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`@vellum/wasm: fetching ${WASM_URL.href} failed (${response.status})`);
  if (response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
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
  compiled ??= compile().catch((error: unknown) => {
    compiled = undefined;
    throw error;
  });
  return compiled;
}
