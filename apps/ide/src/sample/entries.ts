/**
 * What the sample generators produce: plain data with no imports, so the Vite plugin (loaded by
 * Vite's default config loader, which bundles relative imports but hands packages to Node as they
 * are) can run the generators without loading any workspace package's TypeScript.
 */

/** A file's text or bytes, or a non-file entry; paths are absolute ('/src/app.ts'). */
export type SourceEntry =
  | { path: string; kind: 'file'; data: string | Uint8Array; mode?: number }
  | { path: string; kind: 'dir'; opaque?: boolean }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'whiteout' };
