/**
 * One undo for a destructive action (reset, revert to base), until the engine has snapshots (issue
 * 13): before the action, the workspace's changes are copied into a second engine over the same
 * lowers with a memory upper; undo makes the workspace equal its base again (`reset`) and carries
 * the copy back. Both copies go through `carryOver`, which replays renames as renames, deletions as
 * whiteouts, contents and metadata, so the workspace comes back as it was.
 */
import type { Workspace } from '../workspace.js';
import { openEphemeralFs } from '../workspace.js';
import { carryOver } from './carry-over.js';
import type { WorkerFs } from './worker.js';

export class UndoPoint {
  private constructor(
    /** What the action was, for the status bar ("Undo reset"). */
    readonly label: string,
    readonly copy: WorkerFs,
    readonly changes: number,
  ) {}

  /** Copies `ws`'s changes away, before an action called `label` changes them. */
  static async take(ws: Workspace, label: string): Promise<UndoPoint> {
    const copy = await openEphemeralFs(ws.lowers);
    try {
      const { changes } = await carryOver(ws.fs.client, copy.client);
      return new UndoPoint(label, copy, changes);
    } catch (error) {
      await copy.close();
      throw error;
    }
  }

  /** Puts `ws` back as it was when this point was taken (whatever changed since is dropped). */
  async restore(ws: Workspace): Promise<void> {
    await ws.fs.reset();
    await carryOver(this.copy.client, ws.fs.client);
  }

  /** Ends the copy's engine. */
  close(): Promise<void> {
    return this.copy.close();
  }
}
