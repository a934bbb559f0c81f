/**
 * Compiling the module from a URL where there is no file system (browsers, workers, and any
 * bundle that is not for Node): `fetch`, streamed into the compiler when served as
 * `application/wasm`. `#compile` (package.json `imports`) is this file unless the `node`
 * condition holds, so no bundler for the browser ever meets a `node:` import.
 */

/** Fetches and compiles the module at `url`. */
export async function compileUrl(url: URL): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`@vellum/wasm: fetching ${url.href} failed (${response.status})`);
  if (response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
