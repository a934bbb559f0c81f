/**
 * Progress of a long pack on stderr: one line rewritten in place on a terminal, or (with
 * `--progress` into a file or pipe) a line at most every second, so a log stays readable.
 */
import type { PackProgress } from './pack.js';

/** Receives the pack's progress; `end()` writes the last figures. */
export interface ProgressReporter {
  update(progress: PackProgress): void;
  end(): void;
}

const MB = 1024 * 1024;

function line(p: PackProgress): string {
  const percent = p.totalBytes === 0 ? 100 : Math.floor((100 * p.bytes) / p.totalBytes);
  return `packing: ${p.files}/${p.totalFiles} files, ${(p.bytes / MB).toFixed(1)}/${(p.totalBytes / MB).toFixed(1)} MB (${percent}%)`;
}

/**
 * A reporter writing to `write`: `tty` rewrites one line (`\r`, clear to its end) at most every
 * `everyMs`; otherwise whole lines, at most every `10 × everyMs`. `now` is the clock (tests pass theirs).
 */
export function progressReporter(
  write: (text: string) => void,
  tty: boolean,
  everyMs = 100,
  now: () => number = Date.now,
): ProgressReporter {
  const gap = tty ? everyMs : everyMs * 10;
  let last: PackProgress | undefined;
  let shown = Number.NEGATIVE_INFINITY;
  let pending = false;
  const show = (p: PackProgress): void => {
    write(tty ? `\r${line(p)}\x1b[K` : `${line(p)}\n`);
    shown = now();
    pending = false;
  };
  return {
    update(p) {
      last = p;
      pending = true;
      if (now() - shown >= gap) show(p);
    },
    end() {
      if (last !== undefined && pending) show(last);
      if (tty && last !== undefined) write('\n');
    },
  };
}
