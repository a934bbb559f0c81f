/**
 * `#compile` under Node (the `node` condition): a `file:` URL is read from disk (Node's
 * `fetch` does not take `file:`), any other is fetched as in a browser.
 */
import { readFile } from 'node:fs/promises';
import { compileUrl as fetchAndCompile } from './compile-web.js';

/** Reads (or fetches) and compiles the module at `url`. */
export async function compileUrl(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol !== 'file:') return fetchAndCompile(url);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(url);
  } catch (error) {
    throw new Error(
      `@vellum/wasm: ${url.pathname} is missing; run \`npm run --prefix packages/wasm build\``,
      {
        cause: error,
      },
    );
  }
  return WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
}
