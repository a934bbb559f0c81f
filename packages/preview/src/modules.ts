/**
 * A served module as the browser must get it: compiled when it is TypeScript or JSX,
 * and its import specifiers rewritten to URLs under the preview scope (bare names and
 * extensionless paths resolved in the overlay). Results are cached by path and the
 * source's ETag, so an unchanged module is compiled once.
 */
import { init, parse } from 'es-module-lexer';
import { errorModule, type ModuleFailure } from './error-module.js';
import type { PreviewFs } from './preview-fs.js';
import { resolveImport } from './resolve.js';
import { type JsxOptions, TranspileError, transpile, transpiledKind } from './transpile.js';

/** Whether a file is served through {@link ModuleServer}: compiled kinds, and JavaScript modules. */
export function isModulePath(path: string): boolean {
  return transpiledKind(path) !== undefined || /\.m?js$/i.test(path);
}

/** What {@link ModuleServer.serve} answers: the JavaScript, and whether it is the error module. */
export interface ServedModule {
  /** The module's code. */
  code: string;
  /** Set when `code` reports a failure instead of being the module. */
  failure?: ModuleFailure;
}

/** How many compiled modules are kept: a playground's sources and the node_modules it imports. */
const CACHE_SIZE = 1000;

/** Compiles and rewrites modules for one served root and URL scope. */
export class ModuleServer {
  readonly #fs: PreviewFs;
  readonly #root: string;
  readonly #scope: string;
  readonly #jsx: JsxOptions | undefined;
  readonly #cache = new Map<string, ServedModule>();
  /** Each path's export names when it last compiled: what its error module declares when it stops compiling. */
  readonly #exported = new Map<string, string[]>();
  /** Compilations run, for tests and the bench (a cache hit does not count). */
  compiled = 0;

  constructor(fs: PreviewFs, root: string, scope: string, jsx?: JsxOptions) {
    this.#fs = fs;
    this.#root = root;
    this.#scope = scope;
    this.#jsx = jsx;
  }

  /** The module at `path` whose bytes are `source` and whose ETag is `etag`. */
  async serve(path: string, source: Uint8Array, etag: string): Promise<ServedModule> {
    const key = `${path}\0${etag}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      // Refresh its place: the map's order is the eviction order.
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    const served = await this.#build(path, new TextDecoder().decode(source));
    this.#cache.set(key, served);
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    return served;
  }

  async #build(path: string, text: string): Promise<ServedModule> {
    let code: string;
    try {
      code = transpiledKind(path) === undefined ? text : transpile(text, path, this.#jsx);
      this.compiled++;
    } catch (error) {
      if (!(error instanceof TranspileError)) throw error;
      const failure: ModuleFailure = {
        message: error.message,
        file: path,
        line: error.line,
        column: error.column,
      };
      const names = (await exportNames(text)) ?? this.#exported.get(path) ?? declaredNames(text);
      return { code: errorModule(failure, names), failure };
    }
    return this.#rewrite(path, code);
  }

  /** The URL under the scope that serves an overlay path inside the root. */
  urlOf(path: string): string {
    const relative = this.#root === '/' ? path.slice(1) : path.slice(this.#root.length + 1);
    return this.#scope + relative.split('/').map(encodeURIComponent).join('/');
  }

  async #rewrite(path: string, code: string): Promise<ServedModule> {
    await init;
    let imports: ReturnType<typeof parse>[0];
    let exports: ReturnType<typeof parse>[1];
    try {
      [imports, exports] = parse(code, path);
    } catch {
      // Not a module the lexer can read (a classic script): served as it is, the browser reports its errors.
      return { code };
    }
    this.#exported.set(path, namesOf(exports));
    let out = '';
    let at = 0;
    for (const imp of imports) {
      // import.meta, and a dynamic import of an expression (no literal name), stay as they are.
      if (imp.type === 'import-meta' || typeof imp.specifier !== 'string') continue;
      const resolved = await resolveImport(this.#fs, imp.specifier, path, this.#root);
      if (resolved.kind === 'unchanged') continue;
      if (resolved.kind === 'error') {
        const failure: ModuleFailure = { message: resolved.message, file: path, ...place(code, imp.start) };
        return { code: errorModule(failure, namesOf(exports)), failure };
      }
      const url = this.urlOf(resolved.path);
      // A static import's span is the name without its quotes; a dynamic one's is the string literal.
      const replacement = imp.type === 'dynamic' ? JSON.stringify(url) : url;
      out += code.slice(at, imp.start) + replacement;
      at = imp.end;
    }
    return { code: at === 0 ? code : out + code.slice(at) };
  }
}

/** The names a module exports (re-exports of a whole module cannot be named without resolving it). */
function namesOf(exports: ReturnType<typeof parse>[1]): string[] {
  return exports.flatMap((e) => (e.type === 'reexport-all' ? [] : [e.name]));
}

/** The export names of a source the compiler refused, if the lexer (which reads TypeScript, not JSX) can tell. */
async function exportNames(source: string): Promise<string[] | undefined> {
  await init;
  try {
    return namesOf(parse(source)[1]);
  } catch {
    return undefined;
  }
}

/** The last resort for a module never compiled: the names of `export function|class|const|let|var` declarations. */
function declaredNames(source: string): string[] {
  const names = [
    ...source.matchAll(
      /^\s*export\s+(?:default\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+([\w$]+)/gm,
    ),
  ].map((m) => m[1] as string);
  return /^\s*export\s+default\b/m.test(source) ? [...names, 'default'] : names;
}

/** 1-based line and column of an offset (in the compiled code: close enough to point at the import). */
function place(code: string, offset: number): { line: number; column: number } {
  const before = code.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
