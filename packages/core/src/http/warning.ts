/** Something a layer worked around and the user should know about. */
export interface LayerWarning {
  /**
   * - `rejected-entry`: an entry left out of the layer (unsafe name, over a limit, damaged);
   * - `no-range`: the server ignores Range requests, so the whole archive was downloaded once.
   */
  readonly kind: 'rejected-entry' | 'no-range';
  /** What happened, for a person. */
  readonly message: string;

  /** The entry's name as stored, for `rejected-entry`. */
  readonly name?: string;
  /** A Node-style code for the reason (`EINVAL`, `EFBIG`, `EIO`). */
  readonly code?: string;
}
