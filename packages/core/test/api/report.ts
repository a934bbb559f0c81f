/**
 * The public surface of the workspace's packages as text, one report per entry point
 * (each `exports` subpath of each package), so that a change to what users can import
 * shows in review as a diff of `api/*.api.md`. Made with the TypeScript checker from the
 * sources: every export with its kind and type, and the public members of classes and
 * interfaces.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** One entry point: `@vellum/core/zip` and the TypeScript file it names. */
export interface Entry {
  specifier: string;
  file: string;
}

/**
 * The TypeScript source of an `exports` value: a path, or (once exports name built files)
 * the condition that still names a `.ts` source.
 */
function sourceOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.endsWith('.ts') && !value.endsWith('.d.ts') ? value : undefined;
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) {
      const found = sourceOf(v);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Every public entry point of the packages under `packagesDir` (the wasm package's build scripts aside). */
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

const FLAGS =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope |
  ts.TypeFormatFlags.WriteArrowStyleSignature;

function isPublic(symbol: ts.Symbol): boolean {
  const decl = symbol.declarations?.[0];
  if (decl === undefined) return true;
  if (symbol.name.startsWith('#') || symbol.name.startsWith('__')) return false;
  const modifiers = ts.getCombinedModifierFlags(decl);
  return (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
}

/** Declared by the workspace, not inherited from a library (Error's statics, EventTarget's methods). */
function isOwn(symbol: ts.Symbol): boolean {
  const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
  return !file.includes('/node_modules/');
}

function members(checker: ts.TypeChecker, type: ts.Type, at: ts.Node, indent: string): string[] {
  const lines: string[] = [];
  for (const prop of checker.getPropertiesOfType(type)) {
    if (!isPublic(prop) || !isOwn(prop)) continue;
    const optional = prop.flags & ts.SymbolFlags.Optional ? '?' : '';
    const readonly =
      prop.declarations?.[0] && ts.getCombinedModifierFlags(prop.declarations[0]) & ts.ModifierFlags.Readonly
        ? 'readonly '
        : '';
    lines.push(
      `${indent}${readonly}${prop.name}${optional}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(prop, at), at, FLAGS)}`,
    );
  }
  return lines;
}

function describeExport(checker: ts.TypeChecker, exported: ts.Symbol): string[] {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const name = exported.name;
  const decl = symbol.declarations?.[0];
  if (decl === undefined) return [`${name}`];
  const lines = describeSymbol(checker, symbol, name, decl);
  // `export type { X }` of a class: users get its instances but cannot construct or test one with it.
  if (symbol.flags & ts.SymbolFlags.Value && typeOnly(exported) && lines[0] !== undefined)
    lines[0] = `type-only ${lines[0]}`;
  return lines;
}

function typeOnly(exported: ts.Symbol): boolean {
  const spec = exported.declarations?.[0];
  return (
    spec !== undefined && ts.isExportSpecifier(spec) && (spec.isTypeOnly || spec.parent.parent.isTypeOnly)
  );
}

function describeSymbol(
  checker: ts.TypeChecker,
  symbol: ts.Symbol,
  name: string,
  decl: ts.Declaration,
): string[] {
  const lines: string[] = [];
  if (symbol.flags & ts.SymbolFlags.Class) {
    const instance = checker.getDeclaredTypeOfSymbol(symbol);
    const statics = checker.getTypeOfSymbolAtLocation(symbol, decl);
    lines.push(`class ${name}`);
    for (const signature of statics.getConstructSignatures()) {
      lines.push(`  constructor${checker.signatureToString(signature, decl, FLAGS).replace(/ => .*$/, '')}`);
    }
    lines.push(
      ...members(checker, statics, decl, '  static ').filter(
        (l) => !l.endsWith(`: typeof ${name}`) && !l.includes(' prototype: '),
      ),
    );
    lines.push(...members(checker, instance, decl, '  '));
  } else if (symbol.flags & ts.SymbolFlags.Function) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, decl);
    for (const signature of type.getCallSignatures()) {
      lines.push(`function ${name}${checker.signatureToString(signature, decl, FLAGS)}`);
    }
  } else if (symbol.flags & ts.SymbolFlags.Interface) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    lines.push(`interface ${name}`, ...members(checker, type, decl, '  '));
  } else if (symbol.flags & ts.SymbolFlags.TypeAlias) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    lines.push(`type ${name} = ${checker.typeToString(type, decl, FLAGS | ts.TypeFormatFlags.InTypeAlias)}`);
  } else if (symbol.flags & ts.SymbolFlags.Enum) {
    lines.push(`enum ${name}`, ...checker.getExportsOfModule(symbol).map((m: ts.Symbol) => `  ${m.name}`));
  } else if (symbol.flags & ts.SymbolFlags.Variable) {
    lines.push(
      `const ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, decl), decl, FLAGS)}`,
    );
  } else {
    lines.push(`${name}`);
  }
  return lines;
}

/** The reports of `list`, by specifier, from one program over all of them. */
export function apiReports(list: readonly Entry[], tsconfig: string): Map<string, string> {
  const config = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (config === undefined) throw new Error(`cannot read ${tsconfig}`);
  const program = ts.createProgram(
    list.map((e) => e.file),
    { ...config.options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const out = new Map<string, string>();
  for (const entry of list) {
    const source = program.getSourceFile(entry.file);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`no module for ${entry.file}`);
    const exports = checker
      .getExportsOfModule(module)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const body = exports.flatMap((e) => describeExport(checker, e));
    out.set(entry.specifier, `# ${entry.specifier}\n\n\`\`\`ts\n${body.join('\n')}\n\`\`\`\n`);
  }
  return out;
}
