import { expect, test } from 'vitest';
import { median } from './cold-start.js';

test('median: the middle value, the mean of the middle two for an even count, an error for none', () => {
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(() => median([])).toThrow(RangeError);
});
