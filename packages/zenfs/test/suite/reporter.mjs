// A node:test reporter that writes one JSON line per finished test or suite, with its file, full
// name (suite names joined by ' > '), status and reason, for run.ts to read. node:test names the file
// of a test declared through skip.mjs's wrapper after the wrapper: run.ts runs such files alone.
import { basename } from 'node:path';

/**
 * @typedef {{ name: string, nesting: number, file?: string, skip?: string | boolean, todo?: string | boolean,
 *   details?: { type?: string, error?: { message?: string, failureType?: string, cause?: unknown } } }} TestEventData
 */

/** @param {AsyncIterable<{ type: string, data: TestEventData }>} source */
export default async function* jsonLines(source) {
  /** @type {Map<string, string[]>} Names of the open suites and tests, per file. */
  const stacks = new Map();
  for await (const event of source) {
    const { type, data } = event;
    if (type !== 'test:start' && type !== 'test:pass' && type !== 'test:fail') continue;
    // A lone file (VELLUM_ZENFS_ALONE): one stack, whatever file node:test names.
    const file = process.env.VELLUM_ZENFS_ALONE ? '' : basename(data.file ?? '');
    const stack = stacks.get(file) ?? [];
    stacks.set(file, stack);
    if (type === 'test:start') {
      stack.length = data.nesting;
      stack.push(data.name);
      continue;
    }
    const path = [...stack.slice(0, data.nesting), data.name].join(' > ');
    const status =
      type === 'test:fail'
        ? 'fail'
        : data.skip !== undefined
          ? 'skip'
          : data.todo !== undefined
            ? 'todo'
            : 'pass';
    const reason =
      typeof data.skip === 'string' ? data.skip : typeof data.todo === 'string' ? data.todo : undefined;
    const error = data.details?.error;
    const cause = error?.cause instanceof Error ? error.cause.message : undefined;
    const line = {
      file,
      name: path,
      suite: data.details?.type === 'suite',
      status,
      reason,
      error: type === 'test:fail' ? (cause ?? error?.message) : undefined,
    };
    yield `${JSON.stringify(line)}\n`;
  }
}
