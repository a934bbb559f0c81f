/**
 * Extended attributes through the `attr` package's tools (`getfattr`, `setfattr`).
 *
 * Node has no xattr API. A whole tree's overlay attributes are read by one `getfattr -R`
 * process (the listing of a lower is one bulk read, so one spawn per tree, not per file), and
 * the few writes an upper makes (an opaque mark, a redirect) are one `setfattr` each. The tools
 * need no compiler at install time, unlike a native addon; why this was chosen over one is in
 * NOTES-17.md.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FsError } from '@vellum/core';

const run = promisify(execFile);

/** Attribute name → raw value, for one path. */
export type XattrMap = Map<string, Uint8Array>;

/** The namespace overlayfs keeps its marks in: `trusted.` by default, `user.` with `userxattr`. */
export type XattrNamespace = 'trusted' | 'user';

/** getfattr writes names as C strings with `\ooo` escapes for control bytes and `\\` for a backslash. */
function unescapeName(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped.charCodeAt(i);
    if (c === 0x5c && /^[0-7]{3}$/.test(escaped.slice(i + 1, i + 4))) {
      bytes.push(Number.parseInt(escaped.slice(i + 1, i + 4), 8));
      i += 3;
    } else if (c === 0x5c && escaped[i + 1] === '\\') {
      bytes.push(0x5c);
      i += 1;
    } else {
      bytes.push(c); // the output is read as latin1: one char per byte
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function hexValue(text: string): Uint8Array {
  // `-e hex` gives `0x…`; an empty value is printed as a bare name (no `=`).
  return text.startsWith('0x') ? Uint8Array.from(Buffer.from(text.slice(2), 'hex')) : new Uint8Array(0);
}

/** Parses `getfattr -d -e hex --absolute-names` output. */
export function parseGetfattr(output: string): Map<string, XattrMap> {
  const out = new Map<string, XattrMap>();
  let current: XattrMap | undefined;
  for (const line of output.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      out.set(unescapeName(line.slice('# file: '.length)), current);
    } else if (line !== '' && current !== undefined) {
      const eq = line.indexOf('=');
      const name = eq < 0 ? line : line.slice(0, eq);
      current.set(name, eq < 0 ? new Uint8Array(0) : hexValue(line.slice(eq + 1)));
    }
  }
  return out;
}

function missingTool(tool: string, err: unknown, path: string): FsError {
  return new FsError('ENOENT', 'getxattr', path, undefined, {
    cause: new Error(`${tool} was not found: install the 'attr' package (apt-get install attr)`, {
      cause: err,
    }),
  });
}

/**
 * Every overlay attribute (`<ns>.overlay.*`) under `root`, by absolute path, in one process.
 * Paths without such an attribute are absent. Symlinks are not followed.
 *
 * @example
 * ```ts
 * const marks = await readOverlayXattrs('/var/lib/layer', 'trusted');
 * marks.get('/var/lib/layer/dir')?.get('trusted.overlay.opaque'); // Uint8Array [0x79] ('y')
 * ```
 */
export async function readOverlayXattrs(root: string, ns: XattrNamespace): Promise<Map<string, XattrMap>> {
  try {
    const { stdout } = await run(
      'getfattr',
      ['-R', '-P', '-h', '-d', '-e', 'hex', '--absolute-names', '-m', `^${ns}\\.overlay\\.`, '--', root],
      { encoding: 'latin1', maxBuffer: 1 << 30 },
    );
    return parseGetfattr(stdout);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT' && e.stdout === undefined) throw missingTool('getfattr', err, root);
    // getfattr exits 1 when some file could not be read (a race with a removal, no permission):
    // what it printed is still right for the rest; anything else is the caller's to see.
    if (typeof e.stdout === 'string' && e.stdout !== '' && typeof e.code === 'number') {
      return parseGetfattr(e.stdout);
    }
    throw new FsError('EIO', 'getxattr', root, undefined, { cause: err });
  }
}

/**
 * Sets (or, with `value` undefined, removes) one attribute on `path` without following a symlink.
 *
 * @example
 * ```ts
 * await setXattr('/upper/dir', 'trusted.overlay.opaque', new TextEncoder().encode('y'));
 * ```
 */
export async function setXattr(path: string, name: string, value: Uint8Array | undefined): Promise<void> {
  const args =
    value === undefined
      ? ['-h', '-x', name, '--', path]
      : ['-h', '-n', name, '-v', `0x${Buffer.from(value).toString('hex') || ''}`, '--', path];
  try {
    await run('setfattr', args, { encoding: 'utf8' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT' && e.stderr === undefined) throw missingTool('setfattr', err, path);
    // Removing an attribute that is not there is what the caller wanted.
    if (value === undefined && /No such attribute/.test(e.stderr ?? '')) return;
    const code = /Operation not supported/.test(e.stderr ?? '') ? 'EINVAL' : 'EIO';
    throw new FsError(code, 'setxattr', path, undefined, {
      cause: new Error((e.stderr ?? '').trim() || String(err)),
    });
  }
}
