import { expect, test } from 'vitest';
import { median, roundOrder } from './cold-start.js';

test('median: the middle value, the mean of the middle two for an even count, an error for none', () => {
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(() => median([])).toThrow(RangeError);
});

test('roundOrder: every key once per round, the first key rotating', () => {
  expect(roundOrder(['a', 'b', 'c'], 4)).toEqual([
    'a',
    'b',
    'c',
    'b',
    'c',
    'a',
    'c',
    'a',
    'b',
    'a',
    'b',
    'c',
  ]);
  expect(roundOrder(['a'], 2)).toEqual(['a', 'a']);
  expect(roundOrder([], 3)).toEqual([]);
});
