import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LiveMessage } from '../../api/live-message.js';
import { countPoints, newestPoints } from '../../api/store/message-points.js';

const message: LiveMessage = {
  v: 1,
  stream: 's',
  seq: 4,
  id: 'e',
  time: 0,
  series: [
    { name: 'a', x: [1, 5, 9], y: [10, 50, 90] },
    { name: 'b', x: [2, 3], y: [20, 30] },
  ],
};

describe('newestPoints', () => {
  it('keeps the points with the largest x, in their original order, dropping emptied series', () => {
    assert.deepEqual(newestPoints(message, 2).series, [{ name: 'a', x: [5, 9], y: [50, 90] }]);
    assert.deepEqual(newestPoints(message, 3).series, [
      { name: 'a', x: [5, 9], y: [50, 90] },
      { name: 'b', x: [3], y: [30] },
    ]);
  });

  it('returns the message itself when it fits', () => {
    assert.equal(newestPoints(message, 5), message);
    assert.equal(countPoints(message), 5);
  });
});
