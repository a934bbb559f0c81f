#!/usr/bin/env node
// The public surface of every published entry point, recorded by API Extractor from the built
// .d.ts (run `pnpm build:packages` first) in packages/<name>/api/<entry>.api.md, checked in so that
// a change to the surface shows in review. `node scripts/api-report.mjs` checks (exit 1 when a
// report differs: e2e/consumer.test.ts runs it); `--update` rewrites the reports.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** [package dir, report name, built entry .d.ts]: every `exports` subpath that is a module. */
export const ENTRIES = [
  ['core', 'core', 'dist/index.d.ts'],
  ['core', 'core-zip', 'dist/zip/index.d.ts'],
  ['core', 'core-http', 'dist/http/index.d.ts'],
  ['core', 'core-idb', 'dist/idb/index.d.ts'],
  ['core', 'core-all-layer-types', 'dist/all-layer-types.d.ts'],
  ['core', 'core-internal', 'dist/internal.d.ts'],
  ['wasm', 'wasm', 'dist/index.d.ts'],
  ['worker', 'worker', 'dist/index.d.ts'],
  ['worker', 'worker-server', 'dist/server/index.d.ts'],
  ['zenfs', 'zenfs', 'dist/index.d.ts'],
  ['preview', 'preview', 'dist/index.d.ts'],
  ['preview', 'preview-service-worker', 'dist/service-worker.d.ts'],
  ['cli', 'cli', 'dist/main.d.ts'],
  ['emscripten', 'emscripten', 'dist/index.d.ts'],
  ['node', 'node', 'dist/index.d.ts'],
];

const update = process.argv.includes('--update');
const changed = [];
for (const [pkg, name, entry] of ENTRIES) {
  const projectFolder = join(root, 'packages', pkg);
  const reportFolder = join(projectFolder, 'api');
  mkdirSync(reportFolder, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder,
      mainEntryPointFilePath: join(projectFolder, entry),
      compiler: {
        overrideTsconfig: {
          compilerOptions: { lib: ['es2023', 'dom'], types: ['node'], skipLibCheck: true },
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: `${name}.api.md`,
        reportFolder,
        // Outside dist/, which is packed.
        reportTempFolder: join(root, 'node_modules', '.cache', 'vellum-api', pkg),
      },
      newlineKind: 'lf',
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The report is the record; release tags (@public/@beta) are not used in this project.
        extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      },
    },
    configObjectFullPath: join(projectFolder, 'api-extractor.json'),
    packageJsonFullPath: join(projectFolder, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  const report = join(reportFolder, `${name}.api.md`);
  if (!result.succeeded || (!update && result.apiReportChanged) || !existsSync(report)) changed.push(name);
}
if (changed.length > 0) {
  console.error(
    `[api] ${update ? 'failed' : 'the public API changed'}: ${changed.join(', ')}${update ? '' : ' (review, then: node scripts/api-report.mjs --update)'}`,
  );
  process.exit(1);
}
console.log(`[api] ${ENTRIES.length} reports ${update ? 'written' : 'unchanged'}`);
