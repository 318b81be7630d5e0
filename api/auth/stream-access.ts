/** Who may read a stream: anyone when it is public, else whoever holds a grant for it. */
import type { StreamPatterns } from '../streams/stream-patterns.js';
import { parseStreamPatterns } from '../streams/stream-patterns.js';

export type ReadAccess =
  | { allowed: true; via: 'public' | 'grant' }
  | { allowed: false; reason: string };

export interface ReadAccessInput {
  stream: string;
  publicStreams: StreamPatterns;
  /** Stream patterns granted to the caller, or undefined when the caller showed no token. */
  grantedStreams: readonly string[] | undefined;
}

export function readAccess({ stream, publicStreams, grantedStreams }: ReadAccessInput): ReadAccess {
  if (publicStreams.matches(stream)) return { allowed: true, via: 'public' };
  if (grantedStreams === undefined) {
    return {
      allowed: false,
      reason: `stream "${stream}" is not public; it needs an access token from negotiate with a caller token that grants it`,
    };
  }
  if (grantedStreams.length > 0 && parseStreamPatterns(grantedStreams).matches(stream)) return { allowed: true, via: 'grant' };
  return {
    allowed: false,
    reason: `stream "${stream}" is not public and the token shown does not grant it`,
  };
}
