/** The small-file workload's bytes and their check, shared by the page (idb.ts) and its OPFS worker (opfs-side.ts). */

/** 1 KiB of distinct bytes per file, so a mixed-up read-back is caught. */
export function fileData(i: number, size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let j = 0; j < size; j++) data[j] = (i * 31 + j) & 0xff;
  return data;
}

export function checkRead(side: string, i: number, got: Uint8Array, size: number): void {
  const want = fileData(i, size);
  if (got.byteLength !== size || got[0] !== want[0] || got[size - 1] !== want[size - 1]) {
    throw new Error(`${side}: file ${i} read back wrong (${got.byteLength} bytes)`);
  }
}
