/**
 * The file tree as data: entries from `walk()` (plus deleted names from `changes()` when asked),
 * grouped by parent, flattened into the visible rows for the expanded directories.
 */
import type { Change } from '@vellum/core';
import type { EntryInfo, EntryKind } from '../fs/workspace-fs.js';
import { type Badge, badgeFor } from './status.js';

export interface TreeRow {
  path: string;
  name: string;
  kind: EntryKind;
  depth: number;
  size: number;
  badge: Badge;
  /** A name the upper deleted: shown, but not openable. */
  ghost: boolean;
}

export const parentOf = (path: string): string => {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
};

export const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export class TreeModel {
  #byParent = new Map<string, TreeRow[]>();
  readonly expanded = new Set<string>(['/']);
  /** Every path the model knows, ghosts included. */
  readonly all = new Map<string, TreeRow>();

  set(
    entries: readonly EntryInfo[],
    changes: readonly Change[],
    showDeleted: boolean,
    lowerNames: readonly string[],
  ): void {
    const byPath = new Map(changes.map((c) => [c.path, c]));
    this.#byParent.clear();
    this.all.clear();
    const add = (row: Omit<TreeRow, 'depth' | 'name'>): void => {
      const full: TreeRow = { ...row, name: baseName(row.path), depth: row.path.split('/').length - 2 };
      this.all.set(full.path, full);
      const parent = parentOf(full.path);
      let list = this.#byParent.get(parent);
      if (!list) {
        list = [];
        this.#byParent.set(parent, list);
      }
      list.push(full);
    };
    for (const e of entries) {
      add({
        path: e.path,
        kind: e.kind,
        size: e.size,
        ghost: false,
        badge: badgeFor(byPath.get(e.path), e.origin, lowerNames),
      });
    }
    if (showDeleted) {
      for (const c of changes) {
        if (c.change !== 'deleted' || this.all.has(c.path)) continue;
        add({
          path: c.path,
          kind: c.type ?? 'file',
          size: 0,
          ghost: true,
          badge: badgeFor(c, undefined, lowerNames),
        });
      }
    }
    for (const list of this.#byParent.values()) {
      list.sort((a, b) =>
        (a.kind === 'dir') !== (b.kind === 'dir')
          ? a.kind === 'dir'
            ? -1
            : 1
          : a.name < b.name
            ? -1
            : a.name > b.name
              ? 1
              : 0,
      );
    }
  }

  /** The rows to show, depth-first through expanded directories. */
  visible(): TreeRow[] {
    const out: TreeRow[] = [];
    const visit = (dir: string): void => {
      for (const row of this.#byParent.get(dir) ?? []) {
        out.push(row);
        if (row.kind === 'dir' && !row.ghost && this.expanded.has(row.path)) visit(row.path);
      }
    };
    visit('/');
    return out;
  }

  expandAll(): void {
    for (const row of this.all.values()) if (row.kind === 'dir' && !row.ghost) this.expanded.add(row.path);
  }

  collapseAll(): void {
    this.expanded.clear();
    this.expanded.add('/');
  }

  /** Opens every directory above `path`, so that it is in the visible rows. */
  reveal(path: string): void {
    for (let p = parentOf(path); p !== '/'; p = parentOf(p)) this.expanded.add(p);
  }
}
