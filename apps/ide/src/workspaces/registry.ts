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

/** The IndexedDB database that holds a workspace's upper. */
export const databaseOf = (id: string): string => `vellum-ide:${id}`;
