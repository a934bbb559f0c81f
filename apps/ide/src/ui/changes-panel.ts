/** The list of every change `changes()` reports, each with "diff" (files) and "revert to base". */
import type { Change } from '@vellum/core';
import { el } from './dom.js';
import { badgeFor } from './status.js';

export interface ChangesEvents {
  open(change: Change): void;
  diff(change: Change): void;
  revert(change: Change): void;
}

export class ChangesPanel {
  readonly element: HTMLElement;
  readonly #list: HTMLElement;
  readonly #count: HTMLElement;

  /** `readOnly`: a tab that does not write the workspace lists its changes without "Revert". */
  constructor(
    readonly events: ChangesEvents,
    readonly readOnly = false,
  ) {
    this.#count = el('span', { class: 'count', 'data-testid': 'changes-count' }, '0');
    this.#list = el('ul', { class: 'changes-list', 'data-testid': 'changes-list' });
    this.element = el(
      'section',
      { class: 'changes-panel', 'aria-label': 'Changes' },
      el('h2', {}, 'Changes ', this.#count),
      this.#list,
    );
  }

  set(changes: readonly Change[]): void {
    this.#count.textContent = String(changes.length);
    if (changes.length === 0) {
      this.#list.replaceChildren(el('li', { class: 'empty' }, 'No changes: the workspace equals its base.'));
      return;
    }
    this.#list.replaceChildren(...changes.map((c) => this.#item(c)));
  }

  #item(c: Change): HTMLElement {
    const badge = badgeFor(c, undefined, []);
    const button = (label: string, action: string, run: () => void): HTMLButtonElement => {
      const b = el(
        'button',
        { type: 'button', class: 'small', 'data-action': action, title: `${label}: ${c.path}` },
        label,
      );
      b.addEventListener('click', (e) => {
        e.stopPropagation();
        run();
      });
      return b;
    };
    const item = el(
      'li',
      {
        class: `change status-${badge.status}`,
        'data-path': c.path,
        'data-change': c.change,
        title: badge.title,
      },
      el('span', { class: `badge badge-${badge.status}` }, badge.text),
      el('span', { class: 'path' }, c.path, c.from ? el('span', { class: 'from' }, ` ← ${c.from}`) : ''),
      el(
        'span',
        { class: 'actions' },
        c.type === 'file' && c.change !== 'deleted' ? button('Diff', 'diff', () => this.events.diff(c)) : '',
        this.readOnly ? '' : button('Revert', 'revert', () => this.events.revert(c)),
      ),
    );
    item.addEventListener('click', () => this.events.open(c));
    return item;
  }
}
