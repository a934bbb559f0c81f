/**
 * A workspace: the writable view the user edits, plus a read-only view of its base (the same lowers
 * under a memory upper that is never written) that diffs, reverts and base checks read from. Both
 * engines run in Web Workers (`WorkerFs`). Ephemeral workspaces keep their upper in the worker's
 * memory (reload = fresh, like a live CD); persistent ones in IndexedDB, opened by the worker.
 */
import { IndexedDBUpper } from '@vellum/core/idb';
import type { UpperDescriptor } from '@vellum/worker';
import { LazyFs, WorkerFs, type WorkerFsOptions } from './fs/worker.js';
import type { WorkspaceFs } from './fs/workspace-fs.js';
import type { LowerSpec } from './layers/stack.js';
import { type BaseDrift, baseDrift, stampFiles } from './workspaces/base-drift.js';
import {
  addWorkspace,
  databaseOf,
  removeWorkspace,
  updateWorkspace,
  type WorkspaceRecord,
} from './workspaces/registry.js';

export interface Workspace {
  /** Undefined for the ephemeral workspace. */
  record: WorkspaceRecord | undefined;
  fs: WorkerFs;
  base: WorkspaceFs;
  /** The lowers it is opened over, topmost first. */
  lowers: readonly LowerSpec[];
  /** Lower names, topmost first: index n is what `origin().layer === n` means. */
  lowerNames: string[];
  /**
   * Another tab writes this persistent workspace: this one shows it read-only (every write is
   * EROFS) and follows that tab's commits (`remote-change` events from the worker).
   */
  readOnly: boolean;
  /** Set when the base changed since this persistent workspace was made. */
  drift: BaseDrift | undefined;
}

const descriptors = (lowers: readonly LowerSpec[]) => lowers.map((l) => l.descriptor);

/** The base view of `lowers`, started on first use. */
function baseOf(lowers: readonly LowerSpec[]): WorkspaceFs {
  return new LazyFs(() => WorkerFs.open(descriptors(lowers), { type: 'memory' }));
}

/**
 * The ephemeral workspace over `lowers`. `fs`, when given, is an engine already opened on them
 * (importing a lower opens the new one first, to carry the old one's changes over).
 */
export async function openEphemeral(
  lowers: readonly LowerSpec[],
  options: Pick<WorkerFsOptions, 'onProgress'> = {},
  fs?: WorkerFs,
): Promise<Workspace> {
  return {
    record: undefined,
    fs: fs ?? (await openEphemeralFs(lowers, options)),
    base: baseOf(lowers),
    lowers,
    lowerNames: lowers.map((l) => l.name),
    readOnly: false,
    drift: undefined,
  };
}

/** An engine over `lowers` with an empty memory upper. */
export function openEphemeralFs(
  lowers: readonly LowerSpec[],
  options: Pick<WorkerFsOptions, 'onProgress'> = {},
): Promise<WorkerFs> {
  return WorkerFs.open(descriptors(lowers), { type: 'memory' }, options);
}

/** Registers a new persistent workspace on the current lowers; open it with `openPersistent`. */
export async function createPersistent(lowers: readonly LowerSpec[], name: string): Promise<WorkspaceRecord> {
  const base = baseOf(lowers);
  try {
    const record: WorkspaceRecord = {
      id: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      name,
      createdMs: Date.now(),
      baseStamps: await stampFiles(base),
    };
    addWorkspace(record);
    return record;
  } finally {
    await base.close();
  }
}

/** The IndexedDB upper of `record`; `whenLocked` says what to do while another tab writes it. */
function upperOf(record: WorkspaceRecord, whenLocked: 'read-only' | 'wait'): UpperDescriptor {
  // A saved workspace is never made again in silence: a lost database fails to open (mustExist, and
  // the engine's commit mark), until the user chose to open what is left (`stored` reset).
  const saved = record.stored === true;
  return { type: 'idb', name: databaseOf(record.id), mustExist: saved, create: !saved, whenLocked };
}

/**
 * Opens a persistent workspace: its IndexedDB upper, opened in the worker. The first tab to open
 * it takes the engine's writer lock; a second tab opens it read-only (`readOnly`) rather than
 * writing over the first one's saves. If the lowers changed since it was made, it still opens (its
 * changes laid over the new base, as overlayfs would) and `drift` lists the base files that changed.
 */
export async function openPersistent(
  lowers: readonly LowerSpec[],
  record: WorkspaceRecord,
  options: Pick<WorkerFsOptions, 'onProgress'> = {},
): Promise<Workspace> {
  const base = baseOf(lowers);
  let fs: WorkerFs;
  try {
    fs = await WorkerFs.open(descriptors(lowers), upperOf(record, 'read-only'), {
      ...options,
      onLowerChange: 'open',
    });
  } catch (error) {
    await base.close();
    if ((error as { code?: unknown }).code === 'ENOENT' || storeLossKind(error) !== undefined) {
      throw new WorkspaceLostError(record, error);
    }
    throw error;
  }
  const opened = record.stored === true ? record : { ...record, stored: true };
  if (opened !== record) updateWorkspace(opened);
  const ws: Workspace = {
    record: opened,
    fs,
    base,
    lowers,
    lowerNames: lowers.map((l) => l.name),
    readOnly: fs.client.readOnly,
    drift: undefined,
  };
  const now = await stampFiles(base);
  if (record.baseStamps === undefined) {
    // Made by an older version of the IDE (content hashes): this base becomes its reference.
    ws.record = { ...opened, baseStamps: now };
    updateWorkspace(ws.record);
    return ws;
  }
  const drift = baseDrift(record.baseStamps, now, await fs.changes(), fs.client.baseChanges);
  ws.drift = drift.changed.length > 0 ? drift : undefined;
  return ws;
}

/**
 * An engine on `ws`'s upper that waits for the writer lock: it resolves once the tab that writes
 * the workspace closed it (or went away), and then writes. A read-only tab takes over with it.
 */
export function waitForWriterLock(ws: Workspace): Promise<WorkerFs> {
  const record = ws.record;
  if (!record) return Promise.reject(new Error('only a persistent workspace has a writer lock'));
  return WorkerFs.open(descriptors(ws.lowers), upperOf(record, 'wait'), { onLowerChange: 'open' });
}

/**
 * A saved workspace whose database is gone: the browser deleted it (Chromium drops an origin's
 * whole IndexedDB when it finds the store corrupt at startup, which a killed browser can leave) or
 * it was cleared. Said as such, rather than opening the workspace empty as if never changed.
 */
export class WorkspaceLostError extends Error {
  readonly code = 'ENOENT';
  readonly record: WorkspaceRecord;
  constructor(record: WorkspaceRecord, cause: unknown) {
    const rolledBack = storeLossKind(cause) === 'store-rolled-back';
    const last = lastCommitOf(cause);
    super(
      (rolledBack
        ? `The saved changes of workspace "${record.name}" were rolled back: its IndexedDB database holds fewer ` +
          'changes than were saved'
        : `The saved changes of workspace "${record.name}" are gone: its IndexedDB database no longer exists`) +
        ' (the browser deletes a database it finds corrupt, for example after it was killed, and clearing ' +
        `site data removes it too).${last ? ` ${last}` : ''}`,
      { cause },
    );
    this.record = record;
  }
}

/** `'store-lost'` / `'store-rolled-back'` for the engine's EIO on a lost store (its cause's kind). */
function storeLossKind(error: unknown): string | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'EIO') return undefined;
  const kind = (error as { cause?: { kind?: unknown } }).cause?.kind;
  return kind === 'store-lost' || kind === 'store-rolled-back' ? kind : undefined;
}

/** "Last saved change: #12, 2026-12-07T12:00:00.000Z", from the lost store's cause message. */
function lastCommitOf(error: unknown): string | undefined {
  const message = String((error as { cause?: { message?: unknown } } | null)?.cause?.message ?? '');
  const found = /commit #(\d+) of (\S+)/.exec(message);
  return found ? `Last saved change: #${found[1]}, ${found[2]}.` : undefined;
}

/** Lets a lost workspace open again, empty: its next open makes a new database. */
export function reopenLostEmpty(record: WorkspaceRecord): void {
  updateWorkspace({ ...record, stored: false });
}

/** Accepts the current base: the warning goes away until the base changes again. */
export async function acceptBase(ws: Workspace): Promise<void> {
  if (!ws.record) return;
  ws.record = { ...ws.record, baseStamps: await stampFiles(ws.base) };
  updateWorkspace(ws.record);
  ws.drift = undefined;
}

export async function deletePersistent(record: WorkspaceRecord): Promise<void> {
  removeWorkspace(record.id);
  await IndexedDBUpper.delete(databaseOf(record.id));
}

/** Ends both engines of `ws` (the IndexedDB upper's writer lock is released once this resolves). */
export async function closeWorkspace(ws: Workspace): Promise<void> {
  await Promise.all([ws.fs.close(), ws.base.close()]);
}
