// A TypeDoc plugin: once the reference is written, every link a README makes into it (the root
// README and packages/*/README.md, links into docs/api/) must name a page that exists. A page
// renamed or an export dropped then fails `pnpm run docs` instead of leaving a dead link behind.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, RendererEvent } from 'typedoc';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function readmes() {
  const packages = join(root, 'packages');
  const inPackages = readdirSync(packages)
    .map((name) => join(packages, name, 'README.md'))
    .filter((file) => existsSync(file));
  return [join(root, 'README.md'), ...inPackages];
}

/** @param {Application} app */
export function load(app) {
  app.renderer.on(RendererEvent.END, (event) => {
    const out = resolve(event.outputDirectory);
    for (const readme of readmes()) {
      const text = readFileSync(readme, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(?:#[^)\s]*)?\)/g)) {
        const file = resolve(dirname(readme), target);
        if (file.startsWith(`${out}/`) && !existsSync(file)) {
          app.logger.warn(
            `${readme.slice(root.length + 1)} links to ${target}, which the reference does not have`,
          );
        }
      }
    }
  });
}
