/**
 * The base lower: "kanban-lite", a small TypeScript web app of a few hundred files, generated
 * deterministically so the repository stays small and every build serves the same bytes (and so the
 * same layer id, which a persistent upper checks).
 */
import { boardApp } from './board.js';
import type { SourceEntry } from './entries.js';
import { seeded } from './random.js';

const COMPONENTS = [
  'Board',
  'Column',
  'Card',
  'CardEditor',
  'Header',
  'Footer',
  'Sidebar',
  'Toolbar',
  'SearchBox',
  'FilterBar',
  'Avatar',
  'Badge',
  'Button',
  'Checklist',
  'Comment',
  'CommentList',
  'DatePicker',
  'Dialog',
  'Dropdown',
  'EmptyState',
  'ErrorBanner',
  'FileDrop',
  'IconButton',
  'Label',
  'LabelPicker',
  'Link',
  'Loader',
  'Menu',
  'MenuItem',
  'Modal',
  'Notification',
  'Pagination',
  'Popover',
  'ProgressBar',
  'Radio',
  'Select',
  'Settings',
  'Shortcut',
  'Skeleton',
  'Slider',
  'Spinner',
  'Split',
  'Stat',
  'Switch',
  'Tab',
  'Tabs',
  'Tag',
  'TextArea',
  'TextField',
  'Theme',
  'Toast',
  'Tooltip',
  'Tree',
  'UserMenu',
  'Watchers',
  'Activity',
  'Archive',
  'Assignee',
  'Attachment',
  'Calendar',
] as const;

const UTILS = [
  'array',
  'assert',
  'clamp',
  'clipboard',
  'color',
  'date',
  'debounce',
  'deepEqual',
  'dom',
  'emitter',
  'format',
  'hash',
  'id',
  'keyboard',
  'local-storage',
  'math',
  'memo',
  'object',
  'path',
  'query',
  'random',
  'range',
  'retry',
  'sleep',
  'sort',
  'storage',
  'string',
  'throttle',
  'url',
  'validate',
] as const;

const WORDS = [
  'task',
  'board',
  'column',
  'card',
  'label',
  'owner',
  'due',
  'state',
  'event',
  'item',
  'list',
  'view',
];

const kebab = (s: string): string => s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

function component(name: string, i: number): SourceEntry[] {
  const dir = `/src/components/${name}`;
  const cls = kebab(name);
  return [
    {
      path: `${dir}/index.ts`,
      kind: 'file',
      data: `import './${name}.css';
import { h } from '../../lib/h.js';

export interface ${name}Props {
  id: string;
  title?: string;
  onSelect?: (id: string) => void;
}

/** ${name}: renders one ${cls.replace(/-/g, ' ')} element (component ${i + 1} of ${COMPONENTS.length}). */
export function ${name}(props: ${name}Props): HTMLElement {
  const el = h('div', { class: '${cls}', 'data-id': props.id }, props.title ?? '${name}');
  el.addEventListener('click', () => props.onSelect?.(props.id));
  return el;
}
`,
    },
    {
      path: `${dir}/${name}.css`,
      kind: 'file',
      data: `.${cls} {
  display: flex;
  gap: ${4 + (i % 4) * 2}px;
  padding: ${6 + (i % 3) * 2}px;
  border-radius: ${i % 5}px;
  color: var(--fg);
}

.${cls}:hover {
  background: var(--hover);
}
`,
    },
    {
      path: `${dir}/${name}.test.ts`,
      kind: 'file',
      data: `import { describe, expect, it } from 'vitest';
import { ${name} } from './index.js';

describe('${name}', () => {
  it('renders its title', () => {
    expect(${name}({ id: 'x', title: 'hello' }).textContent).toBe('hello');
  });
});
`,
    },
  ];
}

function util(name: string, i: number, rnd: ReturnType<typeof seeded>): SourceEntry[] {
  const fn = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const lines = Array.from(
    { length: 4 + rnd.int(12) },
    (_, k) => `  // step ${k + 1}: ${rnd.pick(WORDS)} ${rnd.pick(WORDS)}`,
  );
  return [
    {
      path: `/src/utils/${name}.ts`,
      kind: 'file',
      data: `/** ${fn}: helper ${i + 1} of the utils module. */
export function ${fn}<T>(value: T): T {
${lines.join('\n')}
  return value;
}
`,
    },
  ];
}

function fixture(i: number, rnd: ReturnType<typeof seeded>): SourceEntry {
  const cards = Array.from({ length: 3 + rnd.int(8) }, (_, k) => ({
    id: `c${i}-${k}`,
    title: `${rnd.pick(WORDS)} ${rnd.pick(WORDS)} ${k}`,
    column: rnd.pick(['todo', 'doing', 'done']),
    points: rnd.int(13),
  }));
  return {
    path: `/src/data/board-${String(i).padStart(2, '0')}.json`,
    kind: 'file',
    data: `${JSON.stringify({ cards }, null, 2)}\n`,
  };
}

function doc(i: number, rnd: ReturnType<typeof seeded>): SourceEntry {
  const topic = `${rnd.pick(WORDS)}-${rnd.pick(WORDS)}`;
  const body = Array.from(
    { length: 3 + rnd.int(5) },
    (_, k) => `## Section ${k + 1}\n\nHow the ${rnd.pick(WORDS)} relates to the ${rnd.pick(WORDS)}.\n`,
  ).join('\n');
  return {
    path: `/docs/${String(i).padStart(2, '0')}-${topic}.md`,
    kind: 'file',
    data: `# ${topic}\n\n${body}`,
  };
}

/** A small binary file that is clearly not text: a PNG signature and pseudo-random bytes. */
function icon(i: number, rnd: ReturnType<typeof seeded>): SourceEntry {
  const size = 200 + rnd.int(1800);
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  for (let k = 8; k < size; k++) bytes[k] = rnd.int(256);
  return { path: `/public/icons/icon-${String(i).padStart(2, '0')}.png`, kind: 'file', data: bytes };
}

const ROOT_FILES: SourceEntry[] = [
  {
    path: '/README.md',
    kind: 'file',
    data: `# kanban-lite

A small kanban board in TypeScript, used as Vellum's sample project.

- \`src/\` — the app: components, utilities, fixtures
- \`docs/\` — design notes
- \`public/\` — static assets

Run it with \`npm run dev\`.
`,
  },
  {
    path: '/package.json',
    kind: 'file',
    data: `${JSON.stringify(
      {
        name: 'kanban-lite',
        version: '1.0.0',
        type: 'module',
        scripts: { dev: 'vite', build: 'tsc && vite build', test: 'vitest' },
        dependencies: { preact: '^11.2.0' },
        devDependencies: { typescript: '^5.9.0', vite: '^7.0.0', vitest: '^4.0.0' },
      },
      null,
      2,
    )}\n`,
  },
  {
    path: '/tsconfig.json',
    kind: 'file',
    data: `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', strict: true, jsx: 'react-jsx', jsxImportSource: 'preact' }, include: ['src'] }, null, 2)}\n`,
  },
  {
    path: '/index.html',
    kind: 'file',
    data: `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <title>kanban-lite</title>
    <link rel="stylesheet" href="/src/styles/main.css" />
    <link rel="stylesheet" href="/src/board/board.css" />
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="/src/main.ts"></script>
  </body>
</html>
`,
  },
  { path: '/.gitignore', kind: 'file', data: 'node_modules/\ndist/\n' },
  {
    path: '/src/main.ts',
    kind: 'file',
    data: `import { App } from './app.js';

const root = document.querySelector('#app');
if (!root) throw new Error('#app is missing');
root.append(App());
`,
  },
  {
    path: '/src/app.ts',
    kind: 'file',
    data: `import { Board } from './components/Board/index.js';
import { Header } from './components/Header/index.js';
import { h } from './lib/h.js';

export function App(): HTMLElement {
  return h('main', { class: 'app' }, Header({ id: 'header', title: 'kanban-lite' }), Board({ id: 'board' }));
}
`,
  },
  {
    path: '/src/lib/h.ts',
    kind: 'file',
    data: `/** A tiny hyperscript: enough DOM building for the sample without a framework. */
export function h(tag: string, attrs: Record<string, string>, ...children: (string | Node)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}
`,
  },
  {
    path: '/src/styles/main.css',
    kind: 'file',
    data: `:root {
  --fg: #1f2328;
  --bg: #ffffff;
  --hover: #f3f4f6;
}

body {
  margin: 0;
  font-family: system-ui, sans-serif;
  color: var(--fg);
  background: var(--bg);
}
`,
  },
];

export function sampleProject(): SourceEntry[] {
  const rnd = seeded(0x5eed);
  const out: SourceEntry[] = [...ROOT_FILES];
  COMPONENTS.forEach((name, i) => {
    out.push(...component(name, i));
  });
  UTILS.forEach((name, i) => {
    out.push(...util(name, i, rnd));
  });
  for (let i = 0; i < 24; i++) out.push(fixture(i, rnd));
  for (let i = 0; i < 30; i++) out.push(doc(i, rnd));
  out.push({ path: '/docs/legacy-api.md', kind: 'file', data: '# Legacy API\n\nRemoved in lesson 1.\n' });
  for (let i = 0; i < 16; i++) out.push(icon(i, rnd));
  // The running app replaces the plain entry point by path (/src/main.ts renders the board).
  const board = boardApp();
  const replaced = new Set(board.map((e) => e.path));
  return [...out.filter((e) => !replaced.has(e.path)), ...board];
}
