/**
 * The Python part of the lesson layer: a small package (`boardstats`) and a script that reads the
 * base project's board fixtures (/src/data/board-*.json, in the base layer) and writes its results
 * into the workspace (/lesson/python/out/), where the tree and the changes panel show them. Plus a
 * script that never ends, to show the runner's Stop.
 */
import type { SourceEntry } from './entries.js';

export function pythonLesson(): SourceEntry[] {
  return [
    {
      path: '/lesson/python/README.md',
      kind: 'file',
      data: `# Lesson 1b: Python on the workspace

Open \`report.py\` and press **Run**. Python (Pyodide) runs in your browser with this workspace as its
working directory: it reads the board fixtures of the base project and writes \`out/points.csv\`.
\`spin.py\` runs until you press **Stop**.
`,
    },
    {
      path: '/lesson/python/boardstats/__init__.py',
      kind: 'file',
      data: `"""Statistics over the kanban-lite board fixtures."""
from .load import load_boards
from .points import points_by_column

__all__ = ["load_boards", "points_by_column"]
`,
    },
    {
      path: '/lesson/python/boardstats/load.py',
      kind: 'file',
      data: `import json
from pathlib import Path


def load_boards(folder):
    """Every board-*.json under folder, by file name, in name order."""
    boards = {}
    for path in sorted(Path(folder).glob("board-*.json")):
        with path.open(encoding="utf-8") as f:
            boards[path.name] = json.load(f)["cards"]
    return boards
`,
    },
    {
      path: '/lesson/python/boardstats/points.py',
      kind: 'file',
      data: `from collections import Counter


def points_by_column(boards):
    """Story points per column, summed over every board."""
    totals = Counter()
    for cards in boards.values():
        for card in cards:
            totals[card["column"]] += card["points"]
    return dict(sorted(totals.items()))
`,
    },
    {
      path: '/lesson/python/report.py',
      kind: 'file',
      data: `"""Reads the base project's board fixtures and writes the points per column."""
import csv
import os

from boardstats import load_boards, points_by_column

boards = load_boards("src/data")
cards = sum(len(c) for c in boards.values())
print(f"read {len(boards)} boards, {cards} cards")
totals = points_by_column(boards)
for column, points in totals.items():
    print(f"{column:>6}: {points} points")

os.makedirs("lesson/python/out", exist_ok=True)
with open("lesson/python/out/points.csv", "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["column", "points"])
    writer.writerows(totals.items())
print("wrote lesson/python/out/points.csv")
`,
    },
    {
      path: '/lesson/python/spin.py',
      kind: 'file',
      data: `"""Never ends on its own: press Stop."""
n = 0
while True:
    n += 1
    if n % 2_000_000 == 0:
        print(f"still counting: {n}", flush=True)
`,
    },
  ];
}
