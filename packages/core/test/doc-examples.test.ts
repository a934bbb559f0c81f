/**
 * The API reference's examples compile: every `@example` of the public surface (the entries
 * `pnpm run docs` documents) is type-checked against the packages as a user imports them, so an
 * example cannot drift from the API it shows.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test } from 'vitest';
import { collectExamples, compileExamples, type ExampleScope, entries } from './api/examples.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

// The entries `pnpm run docs` documents: not the engine's internals (core/internal), the wasm package
// or the worker's script entry (a module that only starts serving, with nothing to import).
const documented = (specifier: string): boolean =>
  specifier !== '@vellum/core/internal' &&
  specifier !== '@vellum/worker/web-worker' &&
  !specifier.startsWith('@vellum/wasm');

const CORE = [
  '@vellum/core',
  '@vellum/core/zip',
  '@vellum/core/http',
  '@vellum/core/idb',
  '@vellum/core/opfs',
];

/** What examples take as given: an open overlay, a client, layers, a handle, … */
const scope: ExampleScope = {
  modules: {
    '@vellum/core': CORE,
    '@vellum/worker': ['@vellum/worker', '@vellum/worker/server', ...CORE],
    '@vellum/zenfs': ['@vellum/zenfs', ...CORE],
    '@vellum/cli': ['@vellum/cli', ...CORE],
    '@vellum/preview': ['@vellum/preview', '@vellum/preview/service-worker', '@vellum/worker', ...CORE],
    '@vellum/emscripten': ['@vellum/emscripten', ...CORE],
    '@vellum/node': ['@vellum/node', ...CORE],
  },
  given: {
    '@vellum/core': {
      ov: 'declare const ov: Overlay;',
      fh: 'declare const fh: FileHandle;',
      base: 'declare const base: LowerLayer;',
      app: 'declare const app: LowerLayer;',
      template: 'declare const template: LowerLayer;',
      newTemplate: 'declare const newTemplate: LowerLayer;',
      upper: 'declare const upper: UpperLayer;',
      url: 'declare const url: string;',
      lessonUrl: 'declare const lessonUrl: string;',
      bar: 'declare const bar: { update(fraction: number): void };',
      files: 'declare const files: [string, string][];',
      opfs: 'declare const opfs: OpfsRoot;',
    },
    '@vellum/worker': {
      fs: 'declare const fs: OverlayClient;',
      fh: 'declare const fh: FileHandle;',
      port: 'declare const port: MessagePort;',
      langServer: 'declare const langServer: Worker;',
      files: 'declare const files: WriteEntry[];',
      refresh: 'declare const refresh: (paths: string[]) => void;',
    },
    '@vellum/zenfs': {
      ov: 'declare const ov: Overlay;',
      backend: 'declare const backend: OverlayBackend;',
    },
    '@vellum/cli': {},
    '@vellum/preview': {
      fs: 'declare const fs: OverlayClient;',
      port: 'declare const port: MessagePort;',
      iframe: 'declare const iframe: HTMLIFrameElement;',
      origin: 'declare const origin: string;',
      parentOrigin: 'declare const parentOrigin: string;',
      lowers: 'declare const lowers: LowerDescriptor[];',
      upper: 'declare const upper: UpperDescriptor;',
    },
    '@vellum/emscripten': {
      ov: 'declare const ov: Overlay;',
      pyodide: "declare const pyodide: import('pyodide').PyodideAPI;",
    },
    '@vellum/node': {
      base: 'declare const base: LowerLayer;',
      layer: 'declare const layer: DirLayer;',
      stat: "declare const stat: typeof import('node:fs/promises').stat;",
    },
  },
};

test('every @example of the public API compiles', { timeout: 120_000 }, () => {
  const list = entries(`${repo}packages`).filter((e) => documented(e.specifier));
  const config = ts.getParsedCommandLineOfConfigFile(
    `${repo}tsconfig.json`,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const options = { ...config.options, noEmit: true };
  const program = ts.createProgram(
    list.map((e) => e.file),
    options,
  );
  const examples = collectExamples(program, list, repo);
  // The reference requires one on every function, class and interface with methods: many.
  expect(examples.length).toBeGreaterThan(80);
  const errors = compileExamples(examples, scope, options, `${repo}packages`, list, program);
  expect(errors.join('\n')).toBe('');
});
