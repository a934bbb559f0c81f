/**
 * TypeScript and JSX to JavaScript with sucrase: it only strips types and compiles JSX
 * (no type check, no bundling), in plain JavaScript with no wasm to fetch, which is what
 * a Service Worker compiling one module per request wants. The alternative measured,
 * esbuild-wasm, is in bench/ (see ARCHITECTURE.md for the figures).
 */
import { type Transform, transform } from 'sucrase';

/** How JSX compiles: the automatic runtime of a library (`preact`, `react`), or classic calls of a pragma. */
export type JsxOptions =
  | {
      /** `jsx()` calls imported from `<importSource>/jsx-runtime`. */
      runtime: 'automatic';
      /** The library (`react` by default). */
      importSource?: string;
    }
  | {
      /** Calls of `pragma` (`h`, `React.createElement`) the module has in scope. */
      runtime: 'classic';
      /** The element factory (default `React.createElement`). */
      pragma?: string;
      /** The fragment (default `React.Fragment`). */
      pragmaFrag?: string;
    };

/**
 * A module that could not be compiled, with where.
 *
 * @example
 * ```ts
 * try {
 *   transpile('const x: number = ;', '/src/a.ts');
 * } catch (e) {
 *   if (e instanceof TranspileError) console.log(`${e.file}:${e.line}:${e.column} ${e.message}`);
 * }
 * ```
 */
export class TranspileError extends Error {
  /** The file, as an overlay path. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line: number | undefined;
  /** 1-based column, when known. */
  readonly column: number | undefined;
  constructor(message: string, file: string, line?: number, column?: number) {
    super(message);
    this.name = 'TranspileError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** The file kinds compiled to JavaScript, by extension. */
export function transpiledKind(path: string): 'ts' | 'tsx' | 'jsx' | undefined {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (ext === 'ts' || ext === 'mts' || ext === 'cts') return 'ts';
  if (ext === 'tsx') return 'tsx';
  if (ext === 'jsx') return 'jsx';
  return undefined;
}

/** `Unexpected token (3:14)`: sucrase's parser puts the place at the end of the message. */
const PLACE = /\((\d+):(\d+)\)$/;

/**
 * Compiles one module; the result carries an inline source map back to `path`.
 *
 * @example
 * ```ts
 * const js = transpile('const n: number = <b>1</b>;', '/src/a.tsx', { runtime: 'automatic', importSource: 'preact' });
 * ```
 */
export function transpile(source: string, path: string, jsx: JsxOptions = { runtime: 'automatic' }): string {
  const kind = transpiledKind(path);
  const transforms: Transform[] =
    kind === 'ts' ? ['typescript'] : kind === 'tsx' ? ['typescript', 'jsx'] : ['jsx'];
  try {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const out = transform(source, {
      transforms,
      filePath: path,
      production: true,
      disableESTransforms: true,
      jsxRuntime: jsx.runtime,
      ...(jsx.runtime === 'automatic'
        ? { jsxImportSource: jsx.importSource ?? 'react' }
        : { jsxPragma: jsx.pragma, jsxFragmentPragma: jsx.pragmaFrag }),
      sourceMapOptions: { compiledFilename: name },
    });
    const map =
      out.sourceMap === undefined
        ? undefined
        : { ...out.sourceMap, sources: [path], sourcesContent: [source] };
    const inline =
      map === undefined
        ? ''
        : `\n//# sourceMappingURL=data:application/json;base64,${base64(JSON.stringify(map))}\n`;
    return out.code + inline;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const place = PLACE.exec(message);
    const line = place === null ? undefined : Number(place[1]);
    const column = place === null ? undefined : Number(place[2]);
    // The place and the file are given apart; the message keeps what went wrong.
    const what = message
      .replace(PLACE, '')
      .replace(/^Error transforming .*?: /, '')
      .trim();
    throw new TranspileError(what, path, line, column);
  }
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
