#!/usr/bin/env node
// Makes sure the system tools some tests shell out to are present.
//
// - `setfattr` (Debian package `attr`): the kernel overlayfs differential test marks opaque
//   directories and whiteouts with trusted.overlay.* xattrs.
// - `zip` (Debian package `zip`): the wasm zip parser's tests read archives made by Info-ZIP.
//
// When root on Debian/Ubuntu a missing tool is installed with apt-get; otherwise a warning says what
// is missing (the tests that need it skip or fail with their own message).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { aptInstall, canAptInstall } from './find-browser.mjs';

/** Tools to have, each with the Debian package that provides it. */
export const TOOLS = [
  { command: 'setfattr', debianPackage: 'attr', why: 'the kernel overlayfs test sets xattrs' },
  { command: 'zip', debianPackage: 'zip', why: "the wasm zip parser is tested on Info-ZIP's archives" },
];

/** @param {string} command */
export function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs whatever of TOOLS is missing when possible; returns the commands still missing. */
export function ensureTools() {
  const missing = TOOLS.filter((tool) => !hasCommand(tool.command));
  if (missing.length === 0) return [];
  if (canAptInstall()) {
    aptInstall(
      missing.map((tool) => tool.debianPackage),
      `Missing ${missing.map((tool) => `${tool.command} (${tool.why})`).join(', ')}.`,
    );
  }
  const still = missing.filter((tool) => !hasCommand(tool.command));
  for (const tool of still) {
    console.error(
      `[vellum] warning: ${tool.command} not found (${tool.why}); install the '${tool.debianPackage}' package.`,
    );
  }
  return still.map((tool) => tool.command);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureTools();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
