/**
 * What Node itself cannot do on Linux and the upper needs: whiteouts (character devices 0/0,
 * made by `mknod`, one process for a whole commit's worth) and the list of mounted overlays'
 * upperdirs (from /proc/self/mountinfo, so an upperdir in use is refused as the kernel does).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Creates a whiteout (char 0/0) at each path, in one process. */
export function makeWhiteouts(paths: readonly string[]): void {
  if (paths.length === 0) return;
  execFileSync('sh', ['-c', 'for p; do mknod "$p" c 0 0 || exit 1; done', 'sh', ...paths], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** mountinfo escapes space, tab, newline and backslash as `\ooo`. */
function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** The upperdirs of the overlays mounted now (absolute paths). */
export function mountedUpperdirs(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [, after] = line.split(' - ');
    if (after === undefined) continue;
    const [fstype, , superOptions] = after.split(' ');
    if (fstype !== 'overlay' || superOptions === undefined) continue;
    for (const option of superOptions.split(',')) {
      if (option.startsWith('upperdir=')) out.push(unescapeMountinfo(option.slice('upperdir='.length)));
    }
  }
  return out;
}

/** syncfs(2) of the filesystem holding `path` (coreutils `sync -f`): Node has no call for it. */
export function syncFilesystem(path: string): void {
  execFileSync('sync', ['-f', path], { stdio: ['ignore', 'ignore', 'pipe'] });
}
