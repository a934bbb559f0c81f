/**
 * A line-based three-way merge of text that decides as `git merge-file` does (its default level
 * and marker style): node-diff3 gives the two-way diffs, this module combines them by git's rules
 * into the merged text, the conflict hunks, and the text with git's conflict markers.
 */
import { diffIndices } from 'node-diff3';

/**
 * One conflicting region of a three-way text merge: the lines each side has there, and where the
 * region starts in each (1-based line numbers).
 *
 * @example
 * ```ts
 * const hunk: ConflictHunk = { ours: ['a = 2'], base: ['a = 1'], theirs: ['a = 3'], oursLine: 4, baseLine: 4, theirsLine: 5 };
 * ```
 */
export interface ConflictHunk {
  /** The learner's lines (the upper's version). */
  ours: string[];
  /** The old base's lines. */
  base: string[];
  /** The new base's lines. */
  theirs: string[];
  /** Where the region starts in the learner's file. */
  oursLine: number;
  /** Where it starts in the old base's file. */
  baseLine: number;
  /** Where it starts in the new base's file. */
  theirsLine: number;
}

/** What merging three texts gave. */
export interface TextMerge {
  /** No region was changed differently on both sides. */
  clean: boolean;
  /** The merged text; where not clean, with git-style conflict markers around each hunk. */
  text: string;
  /** The conflicting regions (empty when clean). */
  hunks: ConflictHunk[];
}

/** The marker labels, as `git merge-file -L ours -L base -L theirs` would print them. */
export interface MergeLabels {
  ours: string;
  theirs: string;
}

/**
 * Lines with their own `\n`, as git's merge compares them (a last line without one is a line of
 * its own, and CRLF stays in the line): joined, they give the text back byte for byte.
 */
const lines = (text: string): string[] => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];

/** A side of a conflict between markers: a last line without its newline gets one, as git writes it. */
const closed = (side: string[]): string[] => {
  const last = side.at(-1);
  return last === undefined || last.endsWith('\n') ? side : [...side.slice(0, -1), `${last}\n`];
};

/**
 * One change of the merge, in the three files' line numbers: lines `[o, o + oLen)` of the base
 * became `[a, a + aLen)` in ours and `[b, b + bLen)` in theirs. `side`: 'ours' or 'theirs' for a
 * change of one side only, 'conflict' for both, 'same' for a conflict whose two sides turned out
 * equal (ours is kept).
 */
interface Change {
  side: 'ours' | 'theirs' | 'conflict' | 'same';
  o: number;
  oLen: number;
  a: number;
  aLen: number;
  b: number;
  bLen: number;
}

/** A two-way hunk: `[from, from + fromLen)` of one file is `[to, to + toLen)` of the other. */
interface Hunk {
  from: number;
  fromLen: number;
  to: number;
  toLen: number;
}

const hunksOf = (x: string[], y: string[]): Hunk[] =>
  diffIndices(x, y).map((h) => ({
    from: h.buffer1[0],
    fromLen: h.buffer1[1],
    to: h.buffer2[0],
    toLen: h.buffer2[1],
  }));

/**
 * Merges `ours` and `theirs`, both derived from `base`, with git's rules (`git merge-file`, its
 * default "zealous" level): changes of one side are taken; changes of both sides that overlap or
 * touch in the base conflict unless identical; a conflict is then narrowed to the lines where
 * the two sides really differ; and conflicts at most three lines apart (or apart by lines with
 * no letter or digit) are joined into one. node-diff3 gives the two-way diffs.
 */
export function mergeText(
  ours: string,
  base: string,
  theirs: string,
  labels: MergeLabels = { ours: 'ours', theirs: 'theirs' },
): TextMerge {
  const a = lines(ours);
  const o = lines(base);
  const b = lines(theirs);
  const toOurs = hunksOf(o, a);
  const toTheirs = hunksOf(o, b);
  // One side unchanged: the other side is the result.
  if (toOurs.length === 0) return { clean: true, text: theirs, hunks: [] };
  if (toTheirs.length === 0) return { clean: true, text: ours, hunks: [] };
  const changes = refine(combine(toOurs, toTheirs, a, b), a, b);
  join(changes, a);
  return render(changes, a, o, b, labels);
}

/** Both sides' hunks walked in base order into one list of changes. */
function combine(x: Hunk[], y: Hunk[], a: string[], b: string[]): Change[] {
  const out: Change[] = [];
  const add = (c: Change): void => {
    const last = out.at(-1);
    // A change that overlaps or touches the previous one in either side joins it.
    if (last && (c.a <= last.a + last.aLen || c.b <= last.b + last.bLen)) {
      if (c.side !== last.side) last.side = 'conflict';
      last.oLen = c.o + c.oLen - last.o;
      last.aLen = c.a + c.aLen - last.a;
      last.bLen = c.b + c.bLen - last.b;
    } else out.push(c);
  };
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const h = x[i] as Hunk;
    const k = y[j] as Hunk;
    if (h.from + h.fromLen < k.from) {
      // Ours alone: theirs has the base's lines here, shifted by theirs' earlier changes.
      add({
        side: 'ours',
        o: h.from,
        oLen: h.fromLen,
        a: h.to,
        aLen: h.toLen,
        b: k.to - k.from + h.from,
        bLen: h.fromLen,
      });
      i++;
      continue;
    }
    if (k.from + k.fromLen < h.from) {
      add({
        side: 'theirs',
        o: k.from,
        oLen: k.fromLen,
        a: h.to - h.from + k.from,
        aLen: k.fromLen,
        b: k.to,
        bLen: k.toLen,
      });
      j++;
      continue;
    }
    const identical =
      h.from === k.from &&
      h.fromLen === k.fromLen &&
      h.toLen === k.toLen &&
      a.slice(h.to, h.to + h.toLen).every((line, n) => line === b[k.to + n]);
    if (!identical) {
      // The union of the two base ranges, and what each side has over it.
      const start = Math.min(h.from, k.from);
      const end = Math.max(h.from + h.fromLen, k.from + k.fromLen);
      const aStart = h.to - (h.from - start);
      const bStart = k.to - (k.from - start);
      const aEnd = h.to + h.toLen + (end - (h.from + h.fromLen));
      const bEnd = k.to + k.toLen + (end - (k.from + k.fromLen));
      add({
        side: 'conflict',
        o: start,
        oLen: end - start,
        a: aStart,
        aLen: aEnd - aStart,
        b: bStart,
        bLen: bEnd - bStart,
      });
    }
    const hEnd = h.from + h.fromLen;
    const kEnd = k.from + k.fromLen;
    if (hEnd >= kEnd) j++;
    if (kEnd >= hEnd) i++;
  }
  // The rest of one side: the other side is at the base's lines, shifted by all its changes.
  const shift = (hs: Hunk[]): number => hs.reduce((n, h) => n + h.toLen - h.fromLen, 0);
  for (; i < x.length; i++) {
    const h = x[i] as Hunk;
    add({
      side: 'ours',
      o: h.from,
      oLen: h.fromLen,
      a: h.to,
      aLen: h.toLen,
      b: h.from + shift(y),
      bLen: h.fromLen,
    });
  }
  for (; j < y.length; j++) {
    const k = y[j] as Hunk;
    add({
      side: 'theirs',
      o: k.from,
      oLen: k.fromLen,
      a: k.from + shift(x),
      aLen: k.fromLen,
      b: k.to,
      bLen: k.toLen,
    });
  }
  return out;
}

/** Each conflict narrowed to where its two sides differ (several conflicts, or none: 'same'). */
function refine(changes: Change[], a: string[], b: string[]): Change[] {
  const out: Change[] = [];
  for (const c of changes) {
    if (c.side !== 'conflict' || c.aLen === 0 || c.bLen === 0) {
      out.push(c);
      continue;
    }
    const inner = hunksOf(a.slice(c.a, c.a + c.aLen), b.slice(c.b, c.b + c.bLen));
    if (inner.length === 0) {
      out.push({ ...c, side: 'same' });
      continue;
    }
    for (const h of inner) {
      out.push({
        side: 'conflict',
        o: c.o,
        oLen: c.oLen,
        a: c.a + h.from,
        aLen: h.fromLen,
        b: c.b + h.to,
        bLen: h.toLen,
      });
    }
  }
  return out;
}

/** Conflicts apart by at most three lines of ours, or by lines with no letter or digit, become one. */
function join(changes: Change[], a: string[]): void {
  for (let n = 0; n + 1 < changes.length; ) {
    const c = changes[n] as Change;
    const next = changes[n + 1] as Change;
    const gap = a.slice(c.a + c.aLen, next.a);
    const apart = gap.length > 3 && gap.some((line) => /[\p{L}\p{N}]/u.test(line));
    if (c.side !== 'conflict' || next.side !== 'conflict' || apart) {
      n++;
      continue;
    }
    c.aLen = next.a + next.aLen - c.a;
    c.bLen = next.b + next.bLen - c.b;
    c.oLen = Math.max(c.o + c.oLen, next.o + next.oLen) - c.o;
    changes.splice(n + 1, 1);
  }
}

/** The merged text: ours between changes, each change's side, markers around each conflict. */
function render(changes: Change[], a: string[], o: string[], b: string[], labels: MergeLabels): TextMerge {
  const out: string[] = [];
  const hunks: ConflictHunk[] = [];
  let at = 0;
  for (const c of changes) {
    if (c.side === 'same') continue;
    out.push(...a.slice(at, c.a));
    const mine = a.slice(c.a, c.a + c.aLen);
    const other = b.slice(c.b, c.b + c.bLen);
    if (c.side === 'ours') out.push(...mine);
    else if (c.side === 'theirs') out.push(...other);
    else {
      hunks.push({
        ours: bare(mine),
        base: bare(o.slice(c.o, c.o + c.oLen)),
        theirs: bare(other),
        oursLine: c.a + 1,
        baseLine: c.o + 1,
        theirsLine: c.b + 1,
      });
      out.push(
        `<<<<<<< ${labels.ours}\n`,
        ...closed(mine),
        '=======\n',
        ...closed(other),
        `>>>>>>> ${labels.theirs}\n`,
      );
    }
    at = c.a + c.aLen;
  }
  out.push(...a.slice(at));
  return { clean: hunks.length === 0, text: out.join(''), hunks };
}

/** Lines without their newline, for a hunk's report. */
const bare = (side: string[]): string[] => side.map((l) => (l.endsWith('\n') ? l.slice(0, -1) : l));

/**
 * Whether bytes are text this merge can handle: valid UTF-8 with no NUL (git's own test for
 * binary is a NUL in the first 8000 bytes; UTF-8 validity also keeps the bytes round-tripping).
 */
export function asText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
