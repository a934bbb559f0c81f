/**
 * Storage hygiene for the workspace bar: a persistent workspace asks the browser to keep the
 * site's storage (`navigator.storage.persist()`: without it, storage is "best effort" and may be
 * evicted under pressure) and shows whether that was granted, and how much of the quota the
 * site uses (`navigator.storage.estimate()`).
 */
import { el, formatBytes } from './dom.js';

/** The status element; filled in once the browser answers (empty where it has no StorageManager). */
export function storageStatus(persistent: boolean): HTMLElement {
  const status = el('span', { class: 'storage-status', 'data-testid': 'storage-status' });
  void describe(persistent).then((text) => {
    status.textContent = text;
    status.dataset.persisted = text.startsWith('kept') ? 'true' : 'false';
  });
  return status;
}

async function describe(persistent: boolean): Promise<string> {
  const storage = navigator.storage as StorageManager | undefined;
  // Only a persistent workspace asks and shows it: the ephemeral one has nothing to keep.
  if (!persistent || !storage?.estimate) return '';
  const persisted = await storage.persist?.().catch(() => false);
  const { usage = 0, quota = 0 } = await storage.estimate().catch(() => ({ usage: 0, quota: 0 }));
  const kept = persisted ? 'kept by the browser' : 'best effort (may be evicted)';
  return `${kept} · ${formatBytes(usage)} of ${formatBytes(quota)} used`;
}
