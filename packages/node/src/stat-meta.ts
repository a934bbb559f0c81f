/** An object's metadata as the layers record it, from a stat of it (Node's, or the engine's). */
import type { EntryMeta } from '@vellum/core';

/** The fields of a stat that {@link metaOf} reads. */
export type StatTimes = Pick<EntryMeta, 'uid' | 'gid' | 'atimeMs' | 'mtimeMs' | 'ctimeMs' | 'birthtimeMs'> & {
  mode: number;
};

/** Permission bits, owner and times of a stat: what a layer's entry records. */
export function metaOf(st: StatTimes): EntryMeta {
  return {
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    atimeMs: st.atimeMs,
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    birthtimeMs: st.birthtimeMs,
  };
}
