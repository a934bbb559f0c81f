/**
 * The part of the base that runs in the preview: a kanban board in TypeScript + JSX on preact
 * (from the node_modules lower), started by /index.html through /src/main.ts. Small on
 * purpose: a learner edits a component, saves, and sees it change.
 */
import type { SourceEntry } from './entries.js';

const file = (path: string, data: string): SourceEntry => ({ path, kind: 'file', data });

export function boardApp(): SourceEntry[] {
  return [
    file(
      '/src/main.ts',
      `import { h, render } from 'preact';
import { App } from './board/App';

const root = document.querySelector('#app');
if (!root) throw new Error('#app is missing');
render(h(App, {}), root);
`,
    ),
    file(
      '/src/board/types.ts',
      `export type ColumnId = 'todo' | 'doing' | 'done';

export interface Task {
  id: number;
  title: string;
  column: ColumnId;
}

export const COLUMNS: readonly { id: ColumnId; title: string }[] = [
  { id: 'todo', title: 'To do' },
  { id: 'doing', title: 'Doing' },
  { id: 'done', title: 'Done' },
];
`,
    ),
    file(
      '/src/board/tasks.ts',
      `import type { Task } from './types';

export const INITIAL_TASKS: Task[] = [
  { id: 1, title: 'Read the lesson', column: 'done' },
  { id: 2, title: 'Edit a component', column: 'doing' },
  { id: 3, title: 'Save and watch the preview', column: 'todo' },
  { id: 4, title: 'Reset to base', column: 'todo' },
];

export function move(tasks: readonly Task[], id: number, column: Task['column']): Task[] {
  return tasks.map((t) => (t.id === id ? { ...t, column } : t));
}
`,
    ),
    file(
      '/src/board/Card.tsx',
      `import type { Task } from './types';

export function Card({ task, onNext }: { task: Task; onNext?: () => void }) {
  return (
    <li class="card" data-task={task.id}>
      <span class="card-title">{task.title}</span>
      {onNext && (
        <button type="button" class="card-next" onClick={onNext} title="Move to the next column">
          →
        </button>
      )}
    </li>
  );
}
`,
    ),
    file(
      '/src/board/Column.tsx',
      `import { Card } from './Card';
import type { ColumnId, Task } from './types';

export function Column(props: { id: ColumnId; title: string; tasks: Task[]; next?: ColumnId; onMove: (id: number, to: ColumnId) => void }) {
  const { next, onMove } = props;
  return (
    <section class="column" data-column={props.id}>
      <h2>
        {props.title} <span class="count">{props.tasks.length}</span>
      </h2>
      <ul>
        {props.tasks.map((task) => (
          <Card key={task.id} task={task} onNext={next ? () => onMove(task.id, next) : undefined} />
        ))}
      </ul>
    </section>
  );
}
`,
    ),
    file(
      '/src/board/App.tsx',
      `import { useState } from 'preact/hooks';
import { Column } from './Column';
import { INITIAL_TASKS, move } from './tasks';
import { COLUMNS } from './types';

export function App() {
  const [tasks, setTasks] = useState(INITIAL_TASKS);
  return (
    <main class="board">
      <h1 id="board-title">kanban-lite</h1>
      <div class="columns">
        {COLUMNS.map((column, i) => (
          <Column
            key={column.id}
            id={column.id}
            title={column.title}
            tasks={tasks.filter((t) => t.column === column.id)}
            next={COLUMNS[i + 1]?.id}
            onMove={(id, to) => setTasks(move(tasks, id, to))}
          />
        ))}
      </div>
    </main>
  );
}
`,
    ),
    file(
      '/src/board/board.css',
      `.board { padding: 16px; font-family: system-ui, sans-serif; }
.board h1 { font-size: 20px; margin: 0 0 12px; }
.columns { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
.column { background: #f3f4f6; border-radius: 8px; padding: 8px; }
.column h2 { font-size: 14px; margin: 0 0 8px; }
.column ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
.card { background: #fff; border-radius: 6px; padding: 8px; display: flex; justify-content: space-between; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.1); }
.count { color: #6b7280; font-weight: normal; }
`,
    ),
  ];
}
