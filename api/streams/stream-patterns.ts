/**
 * Stream patterns, as in `PUBLIC_STREAMS` and the streams claim of caller tokens: a stream name in
 * which `*` matches any run of characters (including `/`), e.g. `demo/*` or `boiler-*\/temperature`.
 */

export const STREAM_PATTERN_MAX_LENGTH = 128;
export const STREAM_PATTERNS_MAX_COUNT = 100;

const PATTERN = /^[A-Za-z0-9_.:~*/-]+$/;

/** A parsed, validated list of patterns. */
export interface StreamPatterns {
  /** The patterns as written (deduplicated). */
  readonly sources: readonly string[];
  matches(stream: string): boolean;
}

/**
 * Parses patterns (empty entries are skipped); throws an Error naming the first bad one.
 * Bounded: at most 100 patterns of at most 128 characters each.
 */
export function parseStreamPatterns(entries: readonly string[]): StreamPatterns {
  const sources = [...new Set(entries.map((entry) => entry.trim()).filter((entry) => entry.length > 0))];
  if (sources.length > STREAM_PATTERNS_MAX_COUNT) {
    throw new Error(`${sources.length} patterns; the limit is ${STREAM_PATTERNS_MAX_COUNT}`);
  }
  for (const source of sources) {
    if (source.length > STREAM_PATTERN_MAX_LENGTH || !PATTERN.test(source)) {
      throw new Error(
        `pattern ${JSON.stringify(source.slice(0, STREAM_PATTERN_MAX_LENGTH))} is not 1 to ${STREAM_PATTERN_MAX_LENGTH} characters of stream name characters and *`,
      );
    }
  }
  return {
    sources,
    matches: (stream) => sources.some((pattern) => globMatches(pattern, stream)),
  };
}

/**
 * Wildcard match with `*` only, in O(pattern x text) time at worst: on a mismatch it resumes
 * just after the last star, which a regular expression with many `.*` would not guarantee.
 */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === text[t]) {
      p += 1;
      t += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      starAt = p;
      resumeAt = t;
      p += 1;
    } else if (starAt >= 0) {
      p = starAt + 1;
      resumeAt += 1;
      t = resumeAt;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
