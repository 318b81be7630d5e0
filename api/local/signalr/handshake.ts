/**
 * The hub handshake: the client's first frame is `{"protocol":"json"|"messagepack","version":N}`
 * followed by 0x1E (for both protocols); the server answers `{}` or `{"error":"…"}` the same way.
 */
import { frameTooLarge, ProtocolError } from './hub-message.js';
import { RECORD_SEPARATOR } from './json-hub-protocol.js';

export interface HandshakeRequest {
  protocol: string;
  version: number;
  /** Bytes after the handshake frame (the client may send messages right behind it). */
  rest: Buffer;
}

/** The handshake request at the start of `data`, or undefined while its end has not arrived. */
export function parseHandshakeRequest(data: Buffer, maxFrameBytes: number): HandshakeRequest | undefined {
  const end = data.indexOf(RECORD_SEPARATOR);
  if (end === -1) {
    if (data.length > maxFrameBytes) throw frameTooLarge(maxFrameBytes);
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(data.subarray(0, end).toString('utf8'));
  } catch {
    throw new ProtocolError('The handshake request is not valid JSON.');
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof fields.protocol !== 'string' || !Number.isInteger(fields.version)) {
    throw new ProtocolError('The handshake request must be {"protocol": <string>, "version": <integer>}.');
  }
  return { protocol: fields.protocol, version: fields.version as number, rest: data.subarray(end + 1) };
}

export const HANDSHAKE_SUCCESS = Buffer.from('{}\u001e');

export function handshakeErrorFrame(error: string): Buffer {
  return Buffer.from(`${JSON.stringify({ error })}\u001e`);
}
