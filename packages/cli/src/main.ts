/**
 * `vellum`: make and examine layers.
 *
 * ```
 * vellum pack <dir> -o layer.zip [--oci-whiteouts] [--level 0-9]
 * vellum pack <dir> --manifest [-o <outdir>]      (= vellum manifest <dir> [-o <outdir>])
 * vellum inspect <layer>
 * vellum ls <layer…>                               (top layer first)
 * vellum cat <layer…> -- <path>
 * vellum export <layer…> --from <dir> -o changes.zip|changes.tar
 * vellum freeze --lower <layer>… --upper <dir|changes.zip> -o out.zip
 * vellum --help | --version | <command> --help
 * ```
 * A layer is a zip (file or http(s) URL), a directory with a vellum.json (on disk or a URL), or a
 * plain directory.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type LowerEntry, type LowerLayer, MemoryUpper, Overlay } from '@vellum/core';
import { COMMANDS, type CommandSpec, commandHelp, mainHelp } from './commands.js';
import { exportChanges } from './export.js';
import { freezePair, openUpper } from './freeze.js';
import { openLayer } from './layers.js';
import { type PackOptions, type PackProgress, packManifest, packZip } from './pack.js';
import { progressReporter } from './progress.js';

/**
 * Where {@link main} writes: by default the process's stdout and stderr.
 *
 * @example
 * ```ts
 * let out = '';
 * const code = await main(['ls', 'site.zip'], { stdout: (t) => (out += String(t)), stderr: console.error });
 * ```
 */
export interface Io {
  /** Receives the command's output (text, or bytes for `cat`). */
  stdout: (text: string | Uint8Array) => void;
  /** Receives errors, warnings and progress. */
  stderr: (text: string) => void;

  /** Whether stderr is a terminal: progress is shown there by default (elsewhere with `--progress`). */
  stderrIsTTY?: boolean;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stderrIsTTY: process.stderr.isTTY === true,
};

/** This package's version (read next to `src/` or a build's `dist/` alike). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** A command line that cannot be run as given: exit code 2, the message on stderr. */
class UsageError extends Error {}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;
const str = (values: Values, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};
const flag = (values: Values, name: string): boolean => values[name] === true;

/**
 * Runs one command line; resolves with the exit code: 0 done, 1 failed (the reason on
 * stderr), 2 bad usage (what was wrong on stderr, with where to find the help).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['pack', 'site', '-o', 'site.zip']);
 * ```
 */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '-V' || first === '--version') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (first === '-h' || first === '--help' || first === 'help') {
    const spec = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === rest[0]);
    if (rest[0] !== undefined && spec === undefined)
      return usageError(io, undefined, `unknown command '${rest[0]}'`);
    io.stdout(spec ? commandHelp(spec) : mainHelp(VERSION));
    return 0;
  }
  if (first === undefined) return usageError(io, undefined, 'a command is needed');
  const spec = COMMANDS.find((c) => c.name === first);
  if (spec === undefined) return usageError(io, undefined, `unknown command '${first}'`);
  let args: Parsed;
  try {
    args = parse(spec, rest);
  } catch (error) {
    return usageError(io, spec, (error as Error).message);
  }
  if (flag(args.values, 'help')) {
    io.stdout(commandHelp(spec));
    return 0;
  }
  try {
    return await run(spec.name, args, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, spec, error.message);
    const e = error as Error & { code?: string; cause?: unknown };
    const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
    io.stderr(`vellum ${spec.name}: ${e.message}${cause}\n`);
    return 1;
  }
}

function usageError(io: Io, spec: CommandSpec | undefined, why: string): number {
  const where = spec ? `vellum ${spec.name}` : 'vellum';
  io.stderr(`${where}: ${why}\nrun '${where} --help' for usage\n`);
  return 2;
}

interface Parsed {
  values: Values;
  positionals: string[];
  /** What follows `--` (cat's path). */
  after: string[];
}

function parse(spec: CommandSpec, argv: string[]): Parsed {
  const dash = argv.indexOf('--');
  const before = dash < 0 ? argv : argv.slice(0, dash);
  const after = dash < 0 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseArgs({
    args: before,
    allowPositionals: true,
    strict: true,
    options: spec.options,
  });
  return { values: values as Values, positionals, after };
}

async function run(command: string, { values, positionals, after }: Parsed, io: Io): Promise<number> {
  const warn = (w: { message: string }): void => io.stderr(`warning: ${w.message}\n`);
  const layerOptions = { ociWhiteouts: flag(values, 'oci-whiteouts'), onWarning: warn };
  const output = str(values, 'output');
  switch (command) {
    case 'pack':
    case 'manifest': {
      const [dir] = positionals;
      if (dir === undefined || positionals.length !== 1) throw new UsageError('one directory to pack');
      const level = levelOf(values);
      const manifest = command === 'manifest' || flag(values, 'manifest');
      if (!manifest && output === undefined) throw new UsageError('-o <file.zip> is needed');
      const progress =
        io.stderrIsTTY === true || flag(values, 'progress')
          ? progressReporter(io.stderr, io.stderrIsTTY === true)
          : undefined;
      const options = {
        ociWhiteouts: layerOptions.ociWhiteouts,
        level: level as PackOptions['level'],
        onWarning: (message: string) => warn({ message }),
        ...(progress && { onProgress: (p: PackProgress) => progress.update(p) }),
      };
      try {
        if (manifest) {
          const m = await packManifest(dir, output, options);
          progress?.end();
          io.stdout(`${m.entries.length} entries, ${m.digest}\n`);
          return 0;
        }
        const zip = await packZip(dir, options);
        progress?.end();
        await writeFile(output as string, zip);
        io.stdout(`${output}: ${zip.length} bytes\n`);
        return 0;
      } catch (error) {
        progress?.end();
        throw error;
      }
    }
    case 'inspect': {
      if (positionals.length !== 1) throw new UsageError('one layer to inspect');
      const layer = await openLayer(positionals[0] as string, layerOptions);
      io.stdout(`id ${layer.id}\n`);
      const list: LowerEntry[] = [];
      for await (const e of layer.entries()) list.push(e);
      list.sort((a, b) => (a.path < b.path ? -1 : 1));
      for (const e of list) io.stdout(`${describe(e)}\n`);
      return 0;
    }
    case 'ls':
    case 'cat': {
      const specs = positionals;
      if (specs.length === 0) throw new UsageError('at least one layer');
      if (command === 'cat' && after.length !== 1) throw new UsageError('cat <layer…> -- <path>');
      const layers: LowerLayer[] = [];
      for (const s of specs) layers.push(await openLayer(s, layerOptions));
      const ov = await Overlay.create({ lowers: layers, upper: new MemoryUpper() });
      if (command === 'cat') {
        io.stdout(await ov.readFile(after[0] as string));
        return 0;
      }
      for (const w of await ov.walk('/', { origins: true })) {
        const layer = w.origin?.layer;
        const from = layer === 'upper' ? 'upper' : (specs[layer ?? -1] ?? '?');
        io.stdout(`${w.path}${w.type === 'dir' ? '/' : ''}\t${from}\n`);
      }
      return 0;
    }
    case 'export': {
      if (positionals.length === 0) throw new UsageError('at least one layer');
      const from = str(values, 'from');
      if (from === undefined || output === undefined)
        throw new UsageError('--from <dir> and -o <file> are needed');
      const format = output.endsWith('.tar') ? 'tar' : 'zip';
      const layers: LowerLayer[] = [];
      for (const s of positionals) layers.push(await openLayer(s, layerOptions));
      const { bytes, changes } = await exportChanges(layers, from, format);
      await writeFile(output, bytes);
      io.stdout(`${output}: ${changes} changes, ${bytes.length} bytes\n`);
      return 0;
    }
    case 'freeze': {
      const lowers = values.lower;
      const upper = str(values, 'upper');
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      if (!Array.isArray(lowers) || lowers.length === 0 || upper === undefined || output === undefined)
        throw new UsageError('--lower <layer>, --upper <dir|zip> and -o <file.zip> are needed');
      const level = levelOf(values);
      const id = str(values, 'id');
      if (id === '') throw new UsageError('--id must not be empty');
      const layers: LowerLayer[] = [];
      for (const s of lowers) layers.push(await openLayer(String(s), layerOptions));
      const frozen = await freezePair(layers, await openUpper(upper), {
        ...(level !== undefined && { level }),
        ...(id !== undefined && { id }),
      });
      await writeFile(output, frozen.data);
      io.stdout(`${output}: ${frozen.changes} changes, ${frozen.data.length} bytes, id ${frozen.layer.id}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

/** `--level`, checked: a deflate level 0 to 9, or undefined when not given. */
function levelOf(values: Values): PackOptions['level'] {
  const text = str(values, 'level');
  if (text === undefined) return undefined;
  const level = Number(text);
  if (!(Number.isInteger(level) && level >= 0 && level <= 9)) throw new UsageError('--level is 0 to 9');
  return level as PackOptions['level'];
}

function describe(e: LowerEntry): string {
  if (e.kind === 'whiteout')
    return `whiteout ${'-'.padStart(4)} ${'-'.padStart(10)} ${'-'.padEnd(20)} ${e.path}`;
  if (e.kind === 'hardlink') return `hardlink ${e.path} => ${e.linkOf}`;
  const mode = (e.mode & 0o7777).toString(8).padStart(4, '0');
  const time = new Date(e.mtimeMs).toISOString().replace('.000Z', 'Z');
  const size = e.kind === 'file' ? e.size : 0;
  const tail = e.kind === 'symlink' ? ` -> ${e.target}` : e.kind === 'dir' && e.opaque ? ' (opaque)' : '';
  return `${e.kind.padEnd(8)} ${mode} ${String(size).padStart(10)} ${time} ${e.path}${tail}`;
}
