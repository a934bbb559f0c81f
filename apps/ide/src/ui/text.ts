/** Deciding whether bytes are text worth opening in the editor, and decoding them. */
const strict = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 without NUL bytes in the first 8 KiB: text. Anything else opens in the hex view. */
export function asText(bytes: Uint8Array): string | undefined {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return undefined;
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}
