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
 * ```
 * A layer is a zip (file or http(s) URL), a directory with a vellum.json (on disk or a URL), or a
 * plain directory.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type LowerEntry, type LowerLayer, MemoryUpper, Overlay } from '@vellum/core';
import { exportChanges } from './export.js';
import { openLayer } from './layers.js';
import { packManifest, packZip } from './pack.js';

export interface Io {
  stdout: (text: string | Uint8Array) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export const USAGE = `usage:
  vellum pack <dir> -o layer.zip [--oci-whiteouts] [--level 0-9]
  vellum pack <dir> --manifest [-o <outdir>]
  vellum manifest <dir> [-o <outdir>]
  vellum inspect <layer>
  vellum ls <layer…>                 (top layer first)
  vellum cat <layer…> -- <path>
  vellum export <layer…> --from <dir> -o changes.zip|changes.tar
a layer is a zip (file or URL), a directory with vellum.json (path or URL), or a plain directory
`;

/**
 * Runs one command; resolves with the exit code (0 ok, 1 failure, 2 bad usage).
 *
 * @example
 * ```ts
 * process.exitCode = await main(['pack', 'site', '-o', 'site.zip']);
 * ```
 */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  let args: ReturnType<typeof parse>;
  try {
    args = parse(rest);
  } catch (error) {
    io.stderr(`vellum: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals, after } = args;
  const usage = (why: string): number => {
    io.stderr(`vellum ${command ?? ''}: ${why}\n${USAGE}`);
    return 2;
  };
  const warn = (w: { message: string }): void => io.stderr(`warning: ${w.message}\n`);
  try {
    switch (command) {
      case 'pack':
      case 'manifest': {
        const [dir] = positionals;
        if (dir === undefined || positionals.length !== 1) return usage('one directory to pack');
        const level = values.level === undefined ? undefined : Number(values.level);
        if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9))
          return usage('--level is 0 to 9');
        const options = {
          ociWhiteouts: values['oci-whiteouts'] === true,
          level: level as 0 | undefined,
          onWarning: (message: string) => warn({ message }),
        };
        if (command === 'manifest' || values.manifest) {
          const m = await packManifest(dir, values.output, options);
          io.stdout(`${m.entries.length} entries, ${m.digest}\n`);
          return 0;
        }
        if (values.output === undefined) return usage('-o <file.zip> is needed');
        const zip = await packZip(dir, options);
        await writeFile(values.output, zip);
        io.stdout(`${values.output}: ${zip.length} bytes\n`);
        return 0;
      }
      case 'inspect': {
        if (positionals.length !== 1) return usage('one layer to inspect');
        const layer = await openLayer(positionals[0] as string, {
          ociWhiteouts: values['oci-whiteouts'] === true,
          onWarning: warn,
        });
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
        if (specs.length === 0) return usage('at least one layer');
        if (command === 'cat' && after.length !== 1) return usage('cat <layer…> -- <path>');
        const layers: LowerLayer[] = [];
        for (const s of specs)
          layers.push(
            await openLayer(s, { ociWhiteouts: values['oci-whiteouts'] === true, onWarning: warn }),
          );
        const ov = await Overlay.create({ lowers: layers, upper: new MemoryUpper() });
        if (command === 'cat') {
          io.stdout(await ov.readFile(after[0] as string));
          return 0;
        }
        for (const w of await ov.walk('/')) {
          const origin = ov.origin(w.path);
          const from = origin.layer === 'upper' ? 'upper' : (specs[origin.layer] ?? '?');
          io.stdout(`${w.path}${w.stats.isDirectory() ? '/' : ''}\t${from}\n`);
        }
        return 0;
      }
      case 'export': {
        if (positionals.length === 0) return usage('at least one layer');
        if (values.from === undefined || values.output === undefined)
          return usage('--from <dir> and -o <file> are needed');
        const format = values.output.endsWith('.tar') ? 'tar' : 'zip';
        const layers: LowerLayer[] = [];
        for (const s of positionals)
          layers.push(
            await openLayer(s, { ociWhiteouts: values['oci-whiteouts'] === true, onWarning: warn }),
          );
        const { bytes, changes } = await exportChanges(layers, values.from, format);
        await writeFile(values.output, bytes);
        io.stdout(`${values.output}: ${changes} changes, ${bytes.length} bytes\n`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        return usage(`unknown command '${command}'`);
    }
  } catch (error) {
    const e = error as Error & { code?: string; cause?: unknown };
    const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
    io.stderr(`vellum ${command}: ${e.message}${cause}\n`);
    return 1;
  }
}

function parse(argv: string[]) {
  const dash = argv.indexOf('--');
  const before = dash < 0 ? argv : argv.slice(0, dash);
  const after = dash < 0 ? [] : argv.slice(dash + 1);
  const { values, positionals } = parseArgs({
    args: before,
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      manifest: { type: 'boolean' },
      'oci-whiteouts': { type: 'boolean' },
      level: { type: 'string' },
      from: { type: 'string' },
    },
  });
  return { values, positionals, after };
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
