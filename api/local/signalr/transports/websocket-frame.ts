/**
 * WebSocket data frames as a server sends them (RFC 6455 §5.2: final, unmasked). A frame is
 * identical for every connection, so a fan-out frames a message once and writes the same bytes
 * to each socket.
 */

const FIN = 0x80;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const framed = Buffer.allocUnsafe(headerLength + length);
  framed[0] = FIN | opcode;
  if (headerLength === 2) {
    framed[1] = length;
  } else if (headerLength === 4) {
    framed[1] = 126;
    framed.writeUInt16BE(length, 2);
  } else {
    framed[1] = 127;
    framed.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(framed, headerLength);
  return framed;
}

export function textFrame(payload: Buffer): Buffer {
  return frame(OPCODE_TEXT, payload);
}

export function binaryFrame(payload: Buffer): Buffer {
  return frame(OPCODE_BINARY, payload);
}
