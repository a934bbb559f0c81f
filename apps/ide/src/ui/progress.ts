/** The boot screen: one progress bar per lower layer while its bytes arrive. */
import type { LoadProgress } from '../layers/stack.js';
import { el, formatBytes } from './dom.js';

export class BootProgress {
  readonly element: HTMLElement;
  readonly #bars = new Map<string, { bar: HTMLProgressElement; text: HTMLElement }>();
  readonly #list = el('div', { class: 'boot-layers' });
  readonly #message = el('p', { class: 'boot-message' }, 'Loading the sample project…');

  constructor() {
    this.element = el(
      'div',
      { class: 'boot', 'data-testid': 'boot' },
      el('h1', {}, 'Vellum IDE'),
      this.#message,
      this.#list,
    );
  }

  update(p: LoadProgress): void {
    let row = this.#bars.get(p.layer);
    if (!row) {
      row = {
        bar: el('progress', { max: '1', value: '0', 'data-layer': p.layer }),
        text: el('span', { class: 'boot-bytes' }),
      };
      this.#bars.set(p.layer, row);
      this.#list.append(
        el('div', { class: 'boot-layer' }, el('span', { class: 'boot-name' }, p.layer), row.bar, row.text),
      );
    }
    row.bar.max = Math.max(1, p.total);
    row.bar.value = p.loaded;
    row.text.textContent = `${formatBytes(p.loaded)} / ${formatBytes(p.total)}`;
  }

  /** Ends the boot on a saved workspace whose database is gone: says so, and offers the two ways on. */
  lost(message: string, actions: { reopenEmpty: () => void; remove: () => Promise<void> }): void {
    this.#message.textContent = message;
    this.#message.classList.add('error');
    this.#message.dataset.testid = 'workspace-lost';
    const reopen = el('button', { type: 'button', 'data-testid': 'lost-reopen' }, 'Open it empty');
    const remove = el('button', { type: 'button', 'data-testid': 'lost-delete' }, 'Delete the workspace');
    reopen.addEventListener('click', () => actions.reopenEmpty());
    remove.addEventListener('click', () => void actions.remove());
    this.#list.replaceChildren(el('div', { class: 'boot-actions' }, reopen, remove));
  }

  fail(error: unknown): void {
    this.#message.textContent = `Could not load the sample project: ${error instanceof Error ? error.message : String(error)}`;
    this.#message.classList.add('error');
  }
}
