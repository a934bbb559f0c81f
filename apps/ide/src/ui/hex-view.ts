/** Binary files: size and a hex dump of the first bytes, instead of garbage text. */
import { el, formatBytes } from './dom.js';

const SHOWN = 4096;

export function hexView(path: string, bytes: Uint8Array): HTMLElement {
  const lines: string[] = [];
  const shown = bytes.subarray(0, SHOWN);
  for (let at = 0; at < shown.length; at += 16) {
    const row = shown.subarray(at, at + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  const more = bytes.length > SHOWN ? `\n… ${formatBytes(bytes.length - SHOWN)} more` : '';
  return el(
    'div',
    { class: 'hex-view', 'data-testid': 'hex-view', 'data-path': path },
    el('div', { class: 'hex-info' }, `Binary file · ${formatBytes(bytes.length)} (${bytes.length} bytes)`),
    el('pre', { class: 'hex-dump' }, lines.join('\n') + more),
  );
}
