/** The JSON hub protocol: UTF-8 JSON objects, each followed by the record separator 0x1E. */
import { checkClientMessage, frameTooLarge, NO_BYTES, ProtocolError } from './hub-message.js';
import type { ClientMessage, HubProtocol, OutgoingMessage, ParsedFrames } from './hub-message.js';

export const RECORD_SEPARATOR = 0x1e;

export class JsonHubProtocol implements HubProtocol {
  readonly name = 'json';
  readonly version = 2;
  readonly transferFormat = 'Text';
  readonly pingFrame: Buffer;

  constructor(private readonly maxFrameBytes: number) {
    this.pingFrame = this.write({ type: 6 });
  }

  parse(data: Buffer): ParsedFrames {
    const messages: ClientMessage[] = [];
    let start = 0;
    for (let end = data.indexOf(RECORD_SEPARATOR); end !== -1; end = data.indexOf(RECORD_SEPARATOR, start)) {
      if (end - start > this.maxFrameBytes) throw frameTooLarge(this.maxFrameBytes);
      messages.push(parseJsonMessage(data.subarray(start, end)));
      start = end + 1;
    }
    const rest = start === data.length ? NO_BYTES : data.subarray(start);
    if (rest.length > this.maxFrameBytes) throw frameTooLarge(this.maxFrameBytes);
    return { messages, rest };
  }

  write(message: OutgoingMessage): Buffer {
    return Buffer.from(`${JSON.stringify(message)}\u001e`);
  }
}

function parseJsonMessage(frame: Buffer): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(frame.toString('utf8'));
  } catch {
    throw new ProtocolError('A frame is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('A frame must be a JSON object.');
  }
  const fields = value as Record<string, unknown>;
  return checkClientMessage(fields.type, fields.invocationId, fields.target, fields.arguments);
}
