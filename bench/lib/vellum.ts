/**
 * Loads the engine lazily. A static import would make the whole run fail at start-up
 * when `@vellum/core` does not build (or does not yet export what a suite needs); a
 * dynamic import inside a suite's setup confines that failure to the Vellum cells.
 */
export type VellumCore = typeof import('@vellum/core');
export type VellumOverlay = Awaited<ReturnType<VellumCore['Overlay']['create']>>;

export async function loadVellum(): Promise<VellumCore> {
  const core = await import('@vellum/core');
  for (const name of ['Overlay', 'MemoryLayer', 'MemoryUpper'] as const) {
    if (typeof core[name] !== 'function') throw new Error(`@vellum/core does not export ${name} yet`);
  }
  return core;
}

/** A side that may have failed to build; kept so the other side can still be measured. */
export type Settled<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

export async function settle<T>(build: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await build() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The built value, or the build error re-thrown so it lands in the cell that needed it. */
export function unwrap<T>(settled: Settled<T>): T {
  if (settled.ok) return settled.value;
  throw settled.error;
}
