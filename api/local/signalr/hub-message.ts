/**
 * SignalR hub protocol messages (ASP.NET Core `HubProtocol.md`), as far as a Serverless service
 * reads and writes them, and the interface both wire protocols (JSON, MessagePack) implement.
 */

export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
  Ack: 8,
  Sequence: 9,
} as const;

/** A message from a client, reduced to what the service acts on. */
export interface ClientMessage {
  type: number;
  /** Set on invocations that expect a completion. */
  invocationId?: string;
  target?: string;
}

export type OutgoingMessage =
  | { type: typeof MessageType.Invocation; target: string; arguments: readonly unknown[] }
  | { type: typeof MessageType.Completion; invocationId: string; error: string }
  | { type: typeof MessageType.Ping }
  | { type: typeof MessageType.Close; error?: string; allowReconnect?: boolean };

export type TransferFormat = 'Text' | 'Binary';

/** A malformed frame from a client; it closes that client's connection with this message. */
export class ProtocolError extends Error {}

export function frameTooLarge(maxFrameBytes: number): ProtocolError {
  return new ProtocolError(`A frame is larger than the limit of ${maxFrameBytes} bytes.`);
}

/** What is left of a read when every frame in it was complete. */
export const NO_BYTES = Buffer.alloc(0);

export interface ParsedFrames {
  messages: ClientMessage[];
  /** The start of a frame whose end has not arrived yet. */
  rest: Buffer;
}

export interface HubProtocol {
  readonly name: 'json' | 'messagepack';
  /** Highest protocol version understood (the stock client asks for 2, older ones for 1). */
  readonly version: number;
  readonly transferFormat: TransferFormat;
  /** A serialized ping, written once. */
  readonly pingFrame: Buffer;
  /** Splits complete frames off `data`; throws `ProtocolError` on malformed or oversized frames. */
  parse(data: Buffer): ParsedFrames;
  write(message: OutgoingMessage): Buffer;
}

/** Checks the fields of a decoded message that the service relies on. */
export function checkClientMessage(type: unknown, invocationId: unknown, target: unknown, args: unknown): ClientMessage {
  if (typeof type !== 'number' || !Number.isInteger(type) || type < 1) {
    throw new ProtocolError("A message must have an integer 'type'.");
  }
  if (invocationId !== undefined && invocationId !== null && typeof invocationId !== 'string') {
    throw new ProtocolError("'invocationId' must be a string.");
  }
  const id = invocationId ?? undefined;
  if (type === MessageType.Invocation || type === MessageType.StreamInvocation) {
    if (typeof target !== 'string' || target.length === 0) throw new ProtocolError("An invocation needs a 'target' string.");
    if (!Array.isArray(args)) throw new ProtocolError("An invocation needs an 'arguments' array.");
    if (type === MessageType.StreamInvocation && id === undefined) {
      throw new ProtocolError("A stream invocation needs an 'invocationId'.");
    }
    return { type, invocationId: id, target };
  }
  if ((type === MessageType.StreamItem || type === MessageType.Completion || type === MessageType.CancelInvocation) && id === undefined) {
    throw new ProtocolError(`A message of type ${type} needs an 'invocationId'.`);
  }
  return { type, invocationId: id };
}
