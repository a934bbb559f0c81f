/**
 * A read-only handle on the running IDE, for the browser console and the e2e tests: listings of the
 * workspace and of its base that can be compared line by line.
 */
import type { Change } from '@vellum/core';
import type { WorkspaceFs } from './fs/workspace-fs.js';
import type { Workspace } from './workspace.js';
import { fnv } from './workspaces/base-drift.js';

export interface IdeInspector {
  /** One line per entry, `path kind size fnv(bytes)`, depth-first: equal listings mean equal trees. */
  listing(which: 'workspace' | 'base'): Promise<string[]>;
  readText(which: 'workspace' | 'base', path: string): Promise<string>;
  changes(): Promise<Change[]>;
}

declare global {
  interface Window {
    vellumIde?: IdeInspector;
  }
}

async function listing(fs: WorkspaceFs): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.walk()) {
    const hash = e.kind === 'file' ? fnv(await fs.readFile(e.path)) : '-';
    out.push(`${e.path} ${e.kind} ${e.size} ${hash}`);
  }
  return out;
}

export function installInspector(current: () => Workspace): void {
  const pick = (which: 'workspace' | 'base'): WorkspaceFs =>
    which === 'base' ? current().base : current().fs;
  window.vellumIde = {
    listing: (which) => listing(pick(which)),
    readText: async (which, path) => new TextDecoder().decode(await pick(which).readFile(path)),
    changes: () => current().fs.changes(),
  };
}
