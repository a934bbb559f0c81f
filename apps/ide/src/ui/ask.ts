/**
 * A one-line name prompt inside the page (not `window.prompt`, which blocks the page and which
 * headless tests have to intercept): resolves with the name, or undefined on cancel.
 */
import { el } from './dom.js';

export function askName(host: HTMLElement, label: string, initial = ''): Promise<string | undefined> {
  host.replaceChildren();
  return new Promise((resolve) => {
    const input = el('input', {
      type: 'text',
      'aria-label': label,
      'data-testid': 'ask-input',
      spellcheck: 'false',
    });
    input.value = initial;
    const cancel = el('button', { type: 'button', class: 'small' }, 'Cancel');
    const form = el(
      'form',
      { class: 'ask', 'data-testid': 'ask' },
      el('label', {}, label),
      input,
      el('button', { type: 'submit', class: 'small primary' }, 'OK'),
      cancel,
    );
    const done = (value: string | undefined): void => {
      form.remove();
      resolve(value);
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = input.value.trim();
      done(v === '' ? undefined : v);
    });
    cancel.addEventListener('click', () => done(undefined));
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') done(undefined);
    });
    host.append(form);
    input.focus();
    input.select();
  });
}

/** One answer of `askChoice`: what the button says, and the key it resolves with. */
export interface Choice<K extends string> {
  key: K;
  label: string;
  /** The answer Enter gives (drawn as the primary button). */
  primary?: boolean;
}

/**
 * A question in a dialog inside the page (not `window.confirm`, which blocks the page and which
 * headless tests have to intercept): resolves with the key of the button clicked, or undefined on
 * Cancel or Escape. Only one at a time: a new question cancels the one still open.
 */
export function askChoice<K extends string>(
  title: string,
  message: string,
  choices: readonly Choice<K>[],
): Promise<K | undefined> {
  document.querySelector<HTMLElement>('[data-testid="confirm"]')?.dispatchEvent(new Event('cancel'));
  return new Promise((resolve) => {
    const dialog = el(
      'div',
      { class: 'confirm', role: 'alertdialog', 'aria-modal': 'true', 'data-testid': 'confirm' },
      el('strong', { class: 'confirm-title' }, title),
      el('p', { class: 'confirm-message', 'data-testid': 'confirm-message' }, message),
    );
    const done = (value: K | undefined): void => {
      dialog.remove();
      backdrop.remove();
      resolve(value);
    };
    const buttons = choices.map((c) => {
      const b = el(
        'button',
        { type: 'button', class: c.primary ? 'primary' : '', 'data-choice': c.key },
        c.label,
      );
      b.addEventListener('click', () => done(c.key));
      return b;
    });
    const cancel = el('button', { type: 'button', 'data-choice': 'cancel' }, 'Cancel');
    cancel.addEventListener('click', () => done(undefined));
    dialog.append(el('div', { class: 'confirm-actions' }, ...buttons, cancel));
    dialog.addEventListener('cancel', () => done(undefined));
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') done(undefined);
    });
    const backdrop = el('div', { class: 'confirm-backdrop' });
    backdrop.addEventListener('click', () => done(undefined));
    document.body.append(backdrop, dialog);
    (buttons.find((_, i) => choices[i]?.primary) ?? cancel).focus();
  });
}

/** `askChoice` with one action besides Cancel: true when the user chose it. */
export async function confirmAction(title: string, message: string, action: string): Promise<boolean> {
  return (await askChoice(title, message, [{ key: 'ok', label: action, primary: true }])) === 'ok';
}
