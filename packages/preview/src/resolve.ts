/**
 * Where an import specifier leads, as the browser cannot know: bare names (`preact`,
 * `preact/hooks`) through the workspace's own `node_modules` and each package's
 * `package.json` (`exports` with the conditions a browser ES module wants, then `module`,
 * then `main`), and extensionless relative paths (`./Board`) as TypeScript writes them.
 */

import { readWhole } from './body.js';
import type { PreviewFs } from './preview-fs.js';
import { isInside } from './request-path.js';

/** What a specifier resolves to. */
export type Resolution =
  | {
      /** A file in the overlay. */
      kind: 'file';
      /** Its path. */
      path: string;
    }
  | {
      /** Left as written: a URL (`https:`, `data:`, …) or an absolute path the browser resolves itself. */
      kind: 'unchanged';
    }
  | {
      /** Cannot be served as an ES module. */
      kind: 'error';
      /** Why, naming the specifier and the package. */
      message: string;
    };

/** The `exports` conditions a browser ES module matches, in no particular priority: the package's key order decides. */
const CONDITIONS = new Set(['browser', 'import', 'module', 'default']);
/** Tried, in order, after an extensionless relative path. */
const EXTENSIONS = ['.ts', '.tsx', '.jsx', '.js', '.mjs'];

interface PackageJson {
  name?: string;
  type?: string;
  exports?: unknown;
  module?: string;
  browser?: unknown;
  main?: string;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** Resolves `.` and `..` segments of `relative` against `dir`; undefined if it climbs above `/`. */
function joinPath(dir: string, relative: string): string | undefined {
  const out = dir === '/' ? [] : dir.slice(1).split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return `/${out.join('/')}`;
}

async function isFile(fs: PreviewFs, path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The file itself, or with an extension added, or a directory's index module. */
async function probe(fs: PreviewFs, path: string): Promise<string | undefined> {
  if (await isFile(fs, path)) return path;
  for (const ext of EXTENSIONS) if (await isFile(fs, path + ext)) return path + ext;
  for (const ext of EXTENSIONS) if (await isFile(fs, `${path}/index${ext}`)) return `${path}/index${ext}`;
  return undefined;
}

async function readJson(fs: PreviewFs, path: string): Promise<PackageJson | undefined> {
  try {
    const bytes = await readWhole(fs, path, (await fs.stat(path)).size);
    return JSON.parse(new TextDecoder().decode(bytes)) as PackageJson;
  } catch {
    return undefined;
  }
}

/** A target of `exports` under the browser conditions: a string, the first usable of an array, or a condition map. */
function pickTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const picked = pickTarget(t);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    for (const [key, value] of Object.entries(target)) {
      if (!CONDITIONS.has(key)) continue;
      const picked = pickTarget(value);
      if (picked !== undefined) return picked;
    }
  }
  return undefined;
}

/** `exports` for a subpath (`.` or `./x`): exact keys, then one-star patterns. */
function exportsTarget(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap =
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((k) => k.startsWith('.'));
  if (!isSubpathMap) return subpath === '.' ? pickTarget(exports) : undefined;
  const map = exports as Record<string, unknown>;
  if (Object.hasOwn(map, subpath)) return pickTarget(map[subpath]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star === -1) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const matched = subpath.slice(prefix.length, subpath.length - suffix.length);
      return pickTarget(value)?.replaceAll('*', matched);
    }
  }
  return undefined;
}

/** Splits `@scope/name/sub/path` into the package name and `./sub/path` (or `.`). */
function splitBare(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, count).join('/');
  const rest = parts.slice(count).join('/');
  return { name, subpath: rest === '' ? '.' : `./${rest}` };
}

async function resolveBare(
  fs: PreviewFs,
  specifier: string,
  importer: string,
  root: string,
): Promise<Resolution> {
  const { name, subpath } = splitBare(specifier);
  // Node's lookup: node_modules of the importer's directory, then of each parent, up to the served root.
  for (let dir = dirname(importer); ; dir = dirname(dir)) {
    const pkgDir = `${dir === '/' ? '' : dir}/node_modules/${name}`;
    const pkg = await readJson(fs, `${pkgDir}/package.json`);
    if (pkg !== undefined) return resolveInPackage(fs, pkg, pkgDir, name, subpath, specifier);
    if (dir === '/' || dir === root) break;
  }
  return {
    kind: 'error',
    message: `cannot find package "${name}" (imported as "${specifier}" by ${importer}) in node_modules`,
  };
}

async function resolveInPackage(
  fs: PreviewFs,
  pkg: PackageJson,
  pkgDir: string,
  name: string,
  subpath: string,
  specifier: string,
): Promise<Resolution> {
  const esmPackage = pkg.type === 'module';
  let target: string | undefined;
  let esm: boolean;
  if (pkg.exports !== undefined) {
    target = exportsTarget(pkg.exports, subpath);
    if (target === undefined)
      return {
        kind: 'error',
        message: `package "${name}" does not export "${subpath}" (imported as "${specifier}")`,
      };
    // A `require`-only target is never picked; `default` of a CommonJS package is CommonJS unless .mjs.
    esm =
      !target.endsWith('.cjs') &&
      (esmPackage || target.endsWith('.mjs') || hasEsmCondition(pkg.exports, subpath));
  } else if (subpath === '.') {
    const browser = typeof pkg.browser === 'string' ? pkg.browser : undefined;
    target = pkg.module ?? browser ?? pkg.main ?? 'index.js';
    esm = pkg.module !== undefined || esmPackage || target.endsWith('.mjs');
  } else {
    target = subpath;
    esm = esmPackage || target.endsWith('.mjs');
  }
  const path = joinPath(pkgDir, target);
  const found = path === undefined || !isInside(path, pkgDir) ? undefined : await probe(fs, path);
  if (found === undefined)
    return {
      kind: 'error',
      message: `package "${name}" names ${target} for "${specifier}", which does not exist`,
    };
  if (!esm)
    return {
      kind: 'error',
      message: `package "${name}" is CommonJS (${found}): the preview serves ES modules only; install an ESM build of "${name}"`,
    };
  return { kind: 'file', path: found };
}

function hasEsmCondition(exports: unknown, subpath: string): boolean {
  const entry =
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.hasOwn(exports, subpath)
      ? (exports as Record<string, unknown>)[subpath]
      : exports;
  const text = JSON.stringify(entry) ?? '';
  return text.includes('"import"') || text.includes('"module"');
}

/**
 * Resolves `specifier` as imported by the module at `importer` (an overlay path), within `root`.
 *
 * @example
 * ```ts
 * await resolveImport(fs, 'preact/hooks', '/src/main.tsx', '/'); // { kind: 'file', path: '/node_modules/preact/hooks/dist/hooks.module.js' }
 * ```
 */
export async function resolveImport(
  fs: PreviewFs,
  specifier: string,
  importer: string,
  root: string,
): Promise<Resolution> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) || specifier.startsWith('/') || specifier.startsWith('//'))
    return { kind: 'unchanged' };
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    const path = joinPath(dirname(importer), specifier);
    if (path === undefined || !isInside(path, root))
      return { kind: 'error', message: `"${specifier}" (imported by ${importer}) leaves the served root` };
    if (await isFile(fs, path)) return { kind: 'unchanged' };
    const found = await probe(fs, path);
    return found === undefined
      ? { kind: 'error', message: `cannot find "${specifier}" imported by ${importer}` }
      : { kind: 'file', path: found };
  }
  return resolveBare(fs, specifier, importer, root);
}
