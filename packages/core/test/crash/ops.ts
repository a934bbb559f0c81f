/**
 * The crash test's operation sequence, the same in the page and in the test:
 * operation i is a pure function of i, so the test can say what the workspace
 * holds after any number of operations.
 */
export type CrashOp =
  | { kind: 'write'; path: string; data: string }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'unlink'; path: string };

/** Round r: write /f<r>, rename it to /g<r>, and (from round 2 on) delete /g<r-2>. Every third write is 200 KB. */
export function opAt(i: number): CrashOp {
  const r = Math.floor(i / 3);
  switch (i % 3) {
    case 0:
      return { kind: 'write', path: `/f${r}`, data: `${r}:`.repeat(r % 3 === 0 ? 50_000 : 10) };
    case 1:
      return { kind: 'rename', from: `/f${r}`, to: `/g${r}` };
    default:
      return r >= 2 ? { kind: 'unlink', path: `/g${r - 2}` } : { kind: 'write', path: `/h${r}`, data: 'h' };
  }
}

/** The files (path → content) after the first `n` operations, from an empty upper over the lower. */
export function filesAfter(n: number): Record<string, string> {
  const files = new Map<string, string>([['/base', 'from the lower']]);
  for (let i = 0; i < n; i++) {
    const op = opAt(i);
    if (op.kind === 'write') files.set(op.path, op.data);
    else if (op.kind === 'rename') {
      files.set(op.to, files.get(op.from) as string);
      files.delete(op.from);
    } else files.delete(op.path);
  }
  return Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}
