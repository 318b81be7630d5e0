import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamFromRouteParameter, streamFromSubject, streamNameProblem } from '../../api/streams/stream-name.js';
import { parseStreamPatterns } from '../../api/streams/stream-patterns.js';

describe('stream names', () => {
  it('accepts segments of A-Z a-z 0-9 _ . : ~ - joined by single slashes, up to 128 characters', () => {
    for (const name of ['boiler-7/temperature', 'a', 'A_b.c:d~e-f/g', 'x'.repeat(128), '...x', 'a/../b']) {
      assert.equal(streamNameProblem(name), undefined, name);
    }
  });

  for (const [name, problem] of [
    ['', /must not be empty/],
    ['x'.repeat(129), /129 characters long; the limit is 128/],
    ['/a', /may hold only/],
    ['a/', /may hold only/],
    ['a//b', /may hold only/],
    ['a b', /may hold only/],
    ['a%2Fb', /may hold only/],
    ['<script>', /may hold only/],
    ['ü', /may hold only/],
    ['..', /must not be "\." or "\.\."/],
    [42, /must be a string, not a number/],
    [null, /must be a string, not null/],
  ] as const) {
    it(`refuses ${JSON.stringify(name)?.slice(0, 20)}`, () => {
      assert.match(streamNameProblem(name) ?? '', problem);
    });
  }

  it('takes the stream from the subject, dropping a leading streams/', () => {
    assert.equal(streamFromSubject('streams/boiler-7/temperature'), 'boiler-7/temperature');
    assert.equal(streamFromSubject('boiler-7/temperature'), 'boiler-7/temperature');
  });

  it('decodes a route parameter whether the host left %2F encoded or not', () => {
    assert.equal(streamFromRouteParameter('boiler-7%2Ftemperature'), 'boiler-7/temperature');
    assert.equal(streamFromRouteParameter('boiler-7/temperature'), 'boiler-7/temperature');
    assert.equal(streamFromRouteParameter('bad%E0%A4%A'), 'bad%E0%A4%A');
  });
});

describe('stream patterns', () => {
  it('matches * against any run of characters, slashes included', () => {
    const patterns = parseStreamPatterns(['demo/*', 'boiler-*/temperature', 'exact']);
    for (const stream of ['demo/a', 'demo/a/b', 'boiler-7/temperature', 'boiler-x/y/temperature', 'exact']) assert.ok(patterns.matches(stream), stream);
    for (const stream of ['demo', 'demox/a', 'boiler-7/pressure', 'exact/more', 'inexact']) assert.ok(!patterns.matches(stream), stream);
  });

  it('treats dots literally', () => {
    assert.ok(!parseStreamPatterns(['a.b']).matches('axb'));
  });

  // A backtracking matcher would not finish this within the age of the universe.
  it('answers patterns made to backtrack', { timeout: 30_000 }, () => {
    const patterns = parseStreamPatterns(['*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b']);
    assert.equal(patterns.matches('a'.repeat(128)), false);
    assert.equal(patterns.matches(`${'a'.repeat(127)}b`), true);
  });

  it('refuses bad patterns and more than 100 of them', () => {
    assert.throws(() => parseStreamPatterns(['ok', 'no spaces']), /"no spaces"/);
    assert.throws(() => parseStreamPatterns(Array.from({ length: 101 }, (_, i) => `s${i}`)), /101 patterns; the limit is 100/);
  });
});
