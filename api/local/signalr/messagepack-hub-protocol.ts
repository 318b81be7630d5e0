/**
 * The MessagePack hub protocol: each message is a MessagePack array prefixed with its length as
 * a VarInt (7 bits per byte, least significant first, at most 5 bytes).
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { checkClientMessage, frameTooLarge, MessageType, NO_BYTES, ProtocolError } from './hub-message.js';
import type { ClientMessage, HubProtocol, OutgoingMessage, ParsedFrames } from './hub-message.js';

const MAX_LENGTH_PREFIX_BYTES = 5;

export class MessagePackHubProtocol implements HubProtocol {
  readonly name = 'messagepack';
  readonly version = 2;
  readonly transferFormat = 'Binary';
  readonly pingFrame: Buffer;
  private readonly decoder: Decoder;
  private readonly encoder = new Encoder({ ignoreUndefined: true });

  constructor(private readonly maxFrameBytes: number) {
    // Every element takes at least one byte, so no count can honestly exceed the frame size.
    this.decoder = new Decoder({ maxArrayLength: maxFrameBytes, maxMapLength: maxFrameBytes });
    this.pingFrame = this.write({ type: MessageType.Ping });
  }

  parse(data: Buffer): ParsedFrames {
    const messages: ClientMessage[] = [];
    let offset = 0;
    while (offset < data.length) {
      const prefix = readLengthPrefix(data, offset);
      if (prefix === undefined) break;
      if (prefix.length > this.maxFrameBytes) throw frameTooLarge(this.maxFrameBytes);
      const start = offset + prefix.bytes;
      if (data.length - start < prefix.length) break;
      messages.push(this.decodeMessage(data.subarray(start, start + prefix.length)));
      offset = start + prefix.length;
    }
    return { messages, rest: offset === data.length ? NO_BYTES : data.subarray(offset) };
  }

  write(message: OutgoingMessage): Buffer {
    const payload = this.encoder.encode(toArray(message));
    return Buffer.concat([lengthPrefix(payload.length), payload]);
  }

  private decodeMessage(frame: Buffer): ClientMessage {
    let value: unknown;
    try {
      value = this.decoder.decode(frame);
    } catch (error) {
      throw new ProtocolError(`A frame is not valid MessagePack: ${(error as Error).message}`);
    }
    if (!Array.isArray(value) || value.length === 0) throw new ProtocolError('A frame must be a non-empty MessagePack array.');
    const [type] = value;
    // Layouts: Invocation/StreamInvocation [type, headers, invocationId, target, arguments, streamIds?],
    // StreamItem/Completion/CancelInvocation [type, headers, invocationId, ...], Ping [6], Close [7, error, allowReconnect?].
    const hasHeaders = type !== MessageType.Ping && type !== MessageType.Close && type !== MessageType.Ack && type !== MessageType.Sequence;
    if (hasHeaders && value.length > 1 && (typeof value[1] !== 'object' || value[1] === null || Array.isArray(value[1]))) {
      throw new ProtocolError('Message headers must be a MessagePack map.');
    }
    return hasHeaders ? checkClientMessage(type, value[2], value[3], value[4]) : checkClientMessage(type, undefined, undefined, undefined);
  }
}

function toArray(message: OutgoingMessage): unknown[] {
  switch (message.type) {
    case MessageType.Invocation:
      return [MessageType.Invocation, {}, null, message.target, message.arguments];
    case MessageType.Completion:
      return [MessageType.Completion, {}, message.invocationId, 1 /* error result */, message.error];
    case MessageType.Ping:
      return [MessageType.Ping];
    case MessageType.Close:
      return [MessageType.Close, message.error ?? null, message.allowReconnect ?? false];
  }
}

function readLengthPrefix(data: Buffer, offset: number): { length: number; bytes: number } | undefined {
  let length = 0;
  for (let i = 0; i < MAX_LENGTH_PREFIX_BYTES; i++) {
    if (offset + i >= data.length) return undefined;
    const byte = data[offset + i];
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { length, bytes: i + 1 };
  }
  throw new ProtocolError('A MessagePack frame length prefix is longer than 5 bytes.');
}

function lengthPrefix(length: number): Buffer {
  const bytes: number[] = [];
  let remaining = length;
  do {
    let byte = remaining & 0x7f;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) byte |= 0x80;
    bytes.push(byte);
  } while (remaining > 0);
  return Buffer.from(bytes);
}
