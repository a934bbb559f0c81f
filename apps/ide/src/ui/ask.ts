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
