/**
 * The second lower, stacked on the base: a "lesson" that overrides a few files, adds its own, and
 * deletes one base file with a whiteout, so the tree shows entries from both lowers.
 */
import type { SourceEntry } from './entries.js';
import { pythonLesson } from './python-lesson.js';

export function lessonLayer(): SourceEntry[] {
  return [
    {
      path: '/README.md',
      kind: 'file',
      data: `# kanban-lite — Lesson 1: a timer on every card

This file comes from the **lesson** layer, which sits above the base project.
Open \`lesson/INSTRUCTIONS.md\` to begin.
`,
    },
    {
      path: '/src/app.ts',
      kind: 'file',
      data: `import { Board } from './components/Board/index.js';
import { Header } from './components/Header/index.js';
import { Timer } from './components/Timer/index.js';
import { h } from './lib/h.js';

export function App(): HTMLElement {
  // TODO (lesson 1): show the timer inside each card instead of the header.
  return h('main', { class: 'app' }, Header({ id: 'header', title: 'kanban-lite' }), Timer({ id: 'timer' }), Board({ id: 'board' }));
}
`,
    },
    {
      path: '/src/components/Timer/index.ts',
      kind: 'file',
      data: `import './Timer.css';
import { h } from '../../lib/h.js';

/** Counts seconds since it was created. Lesson 1 asks you to reset it when a card moves. */
export function Timer(props: { id: string }): HTMLElement {
  const el = h('span', { class: 'timer', 'data-id': props.id }, '0s');
  const started = Date.now();
  setInterval(() => {
    el.textContent = \`\${Math.round((Date.now() - started) / 1000)}s\`;
  }, 1000);
  return el;
}
`,
    },
    {
      path: '/src/components/Timer/Timer.css',
      kind: 'file',
      data: '.timer {\n  font-variant-numeric: tabular-nums;\n}\n',
    },
    {
      path: '/lesson/INSTRUCTIONS.md',
      kind: 'file',
      data: `# Lesson 1

1. Open \`src/app.ts\` and move the timer into \`Card\`.
2. Reset the timer when a card changes column.
3. Run the checks in \`lesson/checks.test.ts\`.

Everything you change lands in the upper layer; "Reset to base" brings the lesson back.
`,
    },
    {
      path: '/lesson/checks.test.ts',
      kind: 'file',
      data: `import { expect, it } from 'vitest';
import { Card } from '../src/components/Card/index.js';

it('shows a timer in each card', () => {
  expect(Card({ id: 'c1' }).querySelector('.timer')).not.toBeNull();
});
`,
    },
    { path: '/docs/legacy-api.md', kind: 'whiteout' },
    ...pythonLesson(),
  ];
}
