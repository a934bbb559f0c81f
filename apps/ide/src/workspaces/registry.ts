/**
 * The list of persistent workspaces, in localStorage (the data lives in one IndexedDB database per
 * workspace). Each record remembers a stamp (size and time) of every base file, so that when the base
 * changes under it the IDE can say which files changed.
 */

export interface WorkspaceRecord {
  id: string;
  name: string;
  createdMs: number;
  /**
   * `path → "size:mtimeMs"` of every base file at creation (or when a new base was accepted);
   * missing in records made by older versions, which kept content hashes instead.
   */
  baseStamps?: Record<string, string>;
  /**
   * Its database was made (it was opened once): from then on it must exist, and a missing one means
   * the browser deleted it (as Chromium does with a store it finds corrupt), not a new workspace.
   */
  stored?: boolean;
}

const KEY = 'vellum-ide:workspaces';

export function listWorkspaces(): WorkspaceRecord[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as WorkspaceRecord[]) : [];
  } catch {
    return [];
  }
}

function save(list: readonly WorkspaceRecord[]): void {
  localStorage.setItem(KEY, JSON.stringify(list));
}

export function findWorkspace(id: string): WorkspaceRecord | undefined {
  return listWorkspaces().find((w) => w.id === id);
}

export function addWorkspace(record: WorkspaceRecord): void {
  save([...listWorkspaces().filter((w) => w.id !== record.id), record]);
}

export function updateWorkspace(record: WorkspaceRecord): void {
  save(listWorkspaces().map((w) => (w.id === record.id ? record : w)));
}

export function removeWorkspace(id: string): void {
  save(listWorkspaces().filter((w) => w.id !== id));
}

const TRASH = 'vellum-ide:deleted-workspace';

/** A deleted workspace kept for one undo: its record, and whether a page has offered the undo yet. */
export interface TrashedWorkspace {
  record: WorkspaceRecord;
  offered: boolean;
}

/** The workspace deleted last, if its database is still kept for an undo. */
export function trashedWorkspace(): TrashedWorkspace | undefined {
  try {
    const parsed = JSON.parse(localStorage.getItem(TRASH) ?? 'null') as TrashedWorkspace | null;
    return parsed !== null && typeof parsed.record?.id === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `record` off the list and keeps it (its database untouched) for one undo. Returns the
 * workspace deleted before it, whose database nothing can bring back any more: the caller deletes it.
 */
export function trashWorkspace(record: WorkspaceRecord): WorkspaceRecord | undefined {
  const before = trashedWorkspace();
  removeWorkspace(record.id);
  localStorage.setItem(TRASH, JSON.stringify({ record, offered: false } satisfies TrashedWorkspace));
  return before?.record.id === record.id ? undefined : before?.record;
}

/** Remembers that a page offered the undo of the last deletion (the next page deletes for good). */
export function markTrashOffered(): void {
  const trashed = trashedWorkspace();
  if (trashed) localStorage.setItem(TRASH, JSON.stringify({ ...trashed, offered: true }));
}

/** Puts the deleted workspace back on the list (undo); its database was kept. */
export function untrashWorkspace(): WorkspaceRecord | undefined {
  const trashed = trashedWorkspace();
  localStorage.removeItem(TRASH);
  if (trashed) addWorkspace(trashed.record);
  return trashed?.record;
}

/** Forgets the deleted workspace (its database is about to be deleted for good). */
export function emptyTrash(): void {
  localStorage.removeItem(TRASH);
}

/** The IndexedDB database that holds a workspace's upper. */
export const databaseOf = (id: string): string => `vellum-ide:${id}`;
