/**
 * A hand-driven WebSocket to the SignalR stand-in, for sending what no real client sends: it
 * negotiates, connects, sends the given WebSocket messages as they are, and reports how the
 * service answered: a handshake answer, a Close message, a completion, or how the socket closed.
 */
import { decode, encode } from '@msgpack/msgpack';
import { WebSocket } from 'ws';

const RECORD_SEPARATOR = 0x1e;

export interface HubSocketAnswer {
  /** The handshake answer (`{}` or `{"error": ...}`), if one came. */
  handshake?: Record<string, unknown>;
  /** Hub messages after the handshake, decoded (JSON objects, or MessagePack arrays). */
  messages: unknown[];
  /** WebSocket close code, once closed. */
  closeCode?: number;
}

export interface HubSocket {
  readonly answer: HubSocketAnswer;
  readonly closed: Promise<void>;
  send(data: string | Uint8Array): void;
  terminate(): void;
}

export async function openHubSocket(endpoint: string, hub: string, accessToken: string, protocol: 'json' | 'messagepack' | 'unknown'): Promise<HubSocket> {
  const negotiated = await fetch(`${endpoint}/client/negotiate?hub=${hub}&negotiateVersion=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const { connectionToken } = (await negotiated.json()) as { connectionToken: string };
  const socket = new WebSocket(`${endpoint.replace(/^http/, 'ws')}/client/?hub=${hub}&id=${connectionToken}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const answer: HubSocketAnswer = { messages: [] };
  let pending: Buffer = Buffer.alloc(0);
  socket.on('message', (data: Buffer) => {
    pending = Buffer.concat([pending, data]);
    if (!answer.handshake) {
      const end = pending.indexOf(RECORD_SEPARATOR);
      if (end === -1) return;
      answer.handshake = JSON.parse(pending.subarray(0, end).toString('utf8')) as Record<string, unknown>;
      pending = pending.subarray(end + 1);
    }
    pending = protocol === 'messagepack' ? readMessagePack(pending, answer.messages) : readJson(pending, answer.messages);
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.on('close', (code: number) => {
      answer.closeCode = code;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_, response) => reject(new Error(`WebSocket upgrade answered ${response.statusCode}`)));
    socket.once('error', reject);
  });
  return {
    answer,
    closed,
    send: (data) => socket.send(data, { binary: typeof data !== 'string' }),
    terminate: () => socket.terminate(),
  };
}

function readJson(data: Buffer, into: unknown[]): Buffer {
  let start = 0;
  for (let end = data.indexOf(RECORD_SEPARATOR); end !== -1; end = data.indexOf(RECORD_SEPARATOR, start)) {
    into.push(JSON.parse(data.subarray(start, end).toString('utf8')));
    start = end + 1;
  }
  return data.subarray(start);
}

function readMessagePack(data: Buffer, into: unknown[]): Buffer {
  let offset = 0;
  for (;;) {
    let length = 0;
    let bytes = 0;
    for (; bytes < 5 && offset + bytes < data.length; bytes += 1) {
      length += (data[offset + bytes] & 0x7f) * 2 ** (7 * bytes);
      if ((data[offset + bytes] & 0x80) === 0) break;
    }
    if (offset + bytes >= data.length || offset + bytes + 1 + length > data.length) return data.subarray(offset);
    const start = offset + bytes + 1;
    into.push(decode(data.subarray(start, start + length)));
    offset = start + length;
  }
}

/**
 * Bytes that complete the last MessagePack frame of `data` when it ends part-way through one (the
 * service then waits for the rest, and would read whatever comes next as part of it); none when
 * the frames are complete or the service will refuse them anyway (a prefix over 5 bytes, a
 * length over `maxFrameBytes`).
 */
export function messagePackCompletion(data: Uint8Array, maxFrameBytes: number): Uint8Array {
  let offset = 0;
  while (offset < data.length) {
    let length = 0;
    let bytes = 0;
    let ended = false;
    while (!ended && bytes < 5 && offset + bytes < data.length) {
      length += (data[offset + bytes] & 0x7f) * 2 ** (7 * bytes);
      ended = (data[offset + bytes] & 0x80) === 0;
      bytes += 1;
    }
    if (length > maxFrameBytes || (!ended && bytes === 5)) return new Uint8Array(0);
    // A cut prefix ends with a zero byte (adding nothing to the length); the frame's bytes follow.
    if (!ended) return new Uint8Array(1 + length);
    const missing = offset + bytes + length - data.length;
    if (missing > 0) return new Uint8Array(missing);
    offset += bytes + length;
  }
  return new Uint8Array(0);
}

/** A MessagePack hub frame: the length as a VarInt, then the encoded array. */
export function messagePackFrame(message: unknown[]): Uint8Array {
  const payload = encode(message);
  const prefix: number[] = [];
  let remaining = payload.length;
  do {
    prefix.push((remaining & 0x7f) | (remaining > 0x7f ? 0x80 : 0));
    remaining = Math.floor(remaining / 128);
  } while (remaining > 0);
  return Uint8Array.from([...prefix, ...payload]);
}
