/**
 * The storage half of fsck: what only the IndexedDB layout can get wrong
 * (record shapes, the length record kept beside each chunk). The structure
 * of the records themselves — parents, orphans, link counts — is checked by
 * the engine from `load()`, the same way for every upper.
 */
import type { UpperProblem } from '../layer.js';
import { badJournalValue } from './journal.js';
import { parseKey } from './keys.js';

const show = (key: IDBValidKey): string => JSON.stringify(key);

/** Walks every record once with a cursor (chunk bytes included: fsck is rare and must look). */
export function checkStore(store: IDBObjectStore): Promise<UpperProblem[]> {
  const problems: UpperProblem[] = [];
  const chunkLengths = new Map<string, number>();
  const sizes = new Map<string, number>();
  return new Promise((resolve, reject) => {
    const request = store.openCursor();
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) {
        for (const [at, length] of chunkLengths) {
          const size = sizes.get(at);
          if (size !== length) {
            problems.push({
              kind: 'chunk-length',
              message: `chunk ${at} holds ${length} bytes but its length record says ${size ?? 'nothing'}`,
            });
          }
        }
        for (const at of sizes.keys()) {
          if (!chunkLengths.has(at)) {
            problems.push({ kind: 'chunk-length', message: `length record ${at} has no chunk` });
          }
        }
        resolve(problems);
        return;
      }
      const key = parseKey(cursor.key);
      const value: unknown = cursor.value;
      if (key.tag === 'unknown') {
        problems.push({
          kind: 'unknown-record',
          message: `record ${show(cursor.key)} is not an upper record`,
        });
      } else if (key.tag === 'j') {
        const bad = badJournalValue(value);
        if (bad) problems.push({ kind: 'bad-record', message: `journal record ${show(cursor.key)} ${bad}` });
      } else if (key.tag === 'c') {
        if (value instanceof Uint8Array) chunkLengths.set(`${key.ino}/${key.index}`, value.byteLength);
        else problems.push({ kind: 'bad-record', message: `chunk ${show(cursor.key)} is not bytes` });
      } else if (key.tag === 's') {
        if (typeof value === 'number') sizes.set(`${key.ino}/${key.index}`, value);
        else
          problems.push({ kind: 'bad-record', message: `length record ${show(cursor.key)} is not a number` });
      } else if (key.tag === 'i') {
        const ino = (value as { ino?: unknown } | null)?.ino;
        if (ino !== key.ino) {
          problems.push({
            kind: 'bad-record',
            message: `inode record ${show(cursor.key)} holds inode ${ino}`,
          });
        }
      } else if (key.tag === 'v' && !(value instanceof Uint8Array)) {
        problems.push({ kind: 'bad-record', message: `kept chunk ${show(cursor.key)} is not bytes` });
      } else if (key.tag === 'p' && typeof value !== 'string') {
        problems.push({ kind: 'bad-record', message: `chunk pin ${show(cursor.key)} names no snapshot` });
      } else if (key.tag === 'd' && value !== null && typeof value !== 'number') {
        problems.push({ kind: 'bad-record', message: `directory entry ${show(cursor.key)} names no inode` });
      }
      cursor.continue();
    };
  });
}
