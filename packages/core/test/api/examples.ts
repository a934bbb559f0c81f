/**
 * The `@example` blocks of the public surface, compiled: every `ts` block in the TSDoc of an
 * export of a public entry point (and of its members, and of the entry module itself) becomes
 * a module of its own inside its package, with the package's public exports in scope (what the
 * example does not import itself) and the few variables examples take as given (`ov`, `fs`,
 * `base`, …) declared. A type error in one is an example that would not compile for a user.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/** One entry point: `@vellum/core/zip` and the TypeScript source it is built from. */
export interface Entry {
  specifier: string;
  file: string;
}

/** The source an `exports` value names for the workspace (its `vellum-source` condition). */
function sourceOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.endsWith('.ts') && !value.endsWith('.d.ts') ? value : undefined;
  if (typeof value === 'object' && value !== null) {
    const source = (value as Record<string, unknown>)['vellum-source'];
    return typeof source === 'string' ? source : undefined;
  }
  return undefined;
}

/** Every entry point of the packages under `packagesDir` that is a TypeScript module. */
export function entries(packagesDir: string): Entry[] {
  const out: Entry[] = [];
  for (const dir of readdirSync(packagesDir).sort()) {
    const pkg = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, unknown>;
    };
    for (const [subpath, value] of Object.entries(pkg.exports ?? {})) {
      const source = sourceOf(value);
      if (source === undefined) continue;
      out.push({
        specifier: subpath === '.' ? pkg.name : `${pkg.name}${subpath.slice(1)}`,
        file: join(packagesDir, dir, source),
      });
    }
  }
  return out;
}

/** One example: where it is written and its code. */
export interface Example {
  /** `file:line` of the declaration it documents. */
  at: string;
  /** The package the example belongs to (`@vellum/worker`). */
  pkg: string;
  code: string;
}

const FENCE = /```ts\n([\s\S]*?)```/g;

function examplesOf(node: ts.Node): string[] {
  const out: string[] = [];
  for (const tag of ts.getJSDocTags(node)) {
    if (tag.tagName.text !== 'example') continue;
    const text = ts.getTextOfJSDocComment(tag.comment) ?? '';
    for (const [, code] of text.matchAll(FENCE)) if (code !== undefined) out.push(code);
  }
  return out;
}

/** The examples in a file's leading comment (an entry module's own documentation). */
function moduleExamples(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const lead = /^\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? '';
  const body = lead.replace(/^\s*\* ?/gm, '');
  const at = body.indexOf('@example');
  return at < 0 ? [] : [...body.slice(at).matchAll(FENCE)].flatMap(([, code]) => (code ? [code] : []));
}

const packageOf = (specifier: string): string => specifier.split('/').slice(0, 2).join('/');

/** Every example of the entries in `list`, each once. */
export function collectExamples(program: ts.Program, list: readonly Entry[], repo: string): Example[] {
  const checker = program.getTypeChecker();
  const seen = new Set<string>();
  const out: Example[] = [];
  const add = (pkg: string, node: ts.Node, code: string): void => {
    const source = node.getSourceFile();
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    const at = `${relative(repo, source.fileName)}:${line}`;
    if (seen.has(`${pkg}\0${code}`)) return;
    seen.add(`${pkg}\0${code}`);
    out.push({ at, pkg, code });
  };
  for (const entry of list) {
    const pkg = packageOf(entry.specifier);
    const source = program.getSourceFile(entry.file);
    const module = source && checker.getSymbolAtLocation(source);
    if (source === undefined || module === undefined) throw new Error(`no module for ${entry.file}`);
    for (const code of moduleExamples(entry.file)) add(pkg, source.statements[0] ?? source, code);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const members = [...(symbol.members?.values() ?? []), ...(symbol.exports?.values() ?? [])];
      for (const s of [symbol, ...members]) {
        for (const decl of s.declarations ?? []) {
          if (decl.getSourceFile().fileName.includes('/node_modules/')) continue;
          for (const code of examplesOf(decl)) add(pkg, decl, code);
        }
      }
    }
  }
  return out;
}

/**
 * What an example of a package may use without importing it: the package's public exports
 * (and, for the packages built on it, `@vellum/core`'s), and the names examples take as given.
 */
export interface ExampleScope {
  /** Specifiers whose exports are in scope, first ones winning a name both export. */
  modules: Record<string, readonly string[]>;
  /** By package: `declare` lines for the variables its examples take as given, by name. */
  given: Record<string, Record<string, string>>;
}

const IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)';?\s*$/;

/** The module an example compiles as. */
function exampleModule(example: Example, scope: ExampleScope, exportsOf: Map<string, string[]>): string {
  const lines = example.code.split('\n');
  const imports = lines.filter((l) => IMPORT.test(l.trim()));
  const body = lines.filter((l) => !IMPORT.test(l.trim()));
  const own = new Set(
    imports.flatMap((l) =>
      (IMPORT.exec(l.trim())?.[2] ?? '')
        .split(',')
        .map((n) => n.trim().replace(/^type\s+/, ''))
        .filter(Boolean),
    ),
  );
  const taken = new Set(own);
  const prelude: string[] = [];
  for (const specifier of scope.modules[example.pkg] ?? []) {
    const names = (exportsOf.get(specifier) ?? []).filter((n) => !taken.has(n));
    for (const n of names) taken.add(n);
    if (names.length > 0) prelude.push(`import { ${names.join(', ')} } from '${specifier}';`);
  }
  const given = Object.entries(scope.given[example.pkg] ?? {})
    .filter(([name]) => !taken.has(name))
    .map(([, line]) => line);
  return [
    ...prelude,
    ...imports,
    ...given,
    'export async function example(): Promise<void> {',
    ...body,
    '}',
    '',
  ].join('\n');
}

/** The type errors of every example, as `at: message` lines (none: every example compiles). */
export function compileExamples(
  examples: readonly Example[],
  scope: ExampleScope,
  options: ts.CompilerOptions,
  packagesDir: string,
  list: readonly Entry[],
  program: ts.Program,
): string[] {
  const checker = program.getTypeChecker();
  const exportsOf = new Map<string, string[]>();
  for (const entry of list) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry.file) as ts.SourceFile);
    exportsOf.set(entry.specifier, module ? checker.getExportsOfModule(module).map((s) => s.name) : []);
  }
  const dirOf = new Map(list.map((e) => [packageOf(e.specifier), dirname(dirname(e.file))]));
  const virtual = new Map<string, { text: string; example: Example }>();
  examples.forEach((example, i) => {
    const dir = dirOf.get(example.pkg) ?? join(packagesDir, 'core');
    virtual.set(join(dir, `__doc_example_${i}.ts`), {
      text: exampleModule(example, scope, exportsOf),
      example,
    });
  });
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f)?.text ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const v = virtual.get(f);
    return v ? ts.createSourceFile(f, v.text, language) : getSourceFile.call(host, f, language, ...rest);
  };
  const checked = ts.createProgram([...virtual.keys()], { ...options, noEmit: true }, host);
  const errors: string[] = [];
  for (const [file, { example, text }] of virtual) {
    const source = checked.getSourceFile(file) as ts.SourceFile;
    const diagnostics = [
      ...checked.getSyntacticDiagnostics(source),
      ...checked.getSemanticDiagnostics(source),
    ];
    for (const d of diagnostics) {
      const line = d.start === undefined ? '' : text.slice(0, d.start).split('\n').length;
      const codeLine = d.start === undefined ? '' : (text.split('\n')[Number(line) - 1] ?? '').trim();
      errors.push(
        `${example.at} (${example.pkg}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n    ${codeLine}`,
      );
    }
  }
  return errors;
}
