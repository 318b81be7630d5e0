/**
 * Sends live messages to their stream's group: messages of one stream that are ready while a
 * send to its group is under way go out together in the next send, one `points` invocation
 * whose arguments are the messages in seq order. A busy stream then costs SignalR Service one
 * REST call, and each client one frame, per batch rather than per event; a quiet stream's
 * message goes out at once, alone.
 */
import { KeyedBatches } from '../keyed-batches.js';
import { LIVE_MESSAGE_TARGET, type LiveMessage } from '../live-message.js';
import type { SignalRRestClient } from './rest-client.js';

/** A REST request body up to 1 MiB is accepted; this leaves room for the invocation around the messages. */
const MAX_SEND_BYTES = 1_000_000;

export class LiveMessageSender {
  readonly #sends: KeyedBatches<LiveMessage, void>;

  constructor(signalR: SignalRRestClient) {
    this.#sends = new KeyedBatches<LiveMessage, void>({
      select: selectSend,
      process: async (group, messages) => {
        await signalR.sendToGroup(group, { target: LIVE_MESSAGE_TARGET, arguments: messages });
        return messages.map(() => undefined);
      },
    });
  }

  /** Resolves when the send that carried `message` succeeded; rejects with its error (`SignalRRestError`). */
  send(message: LiveMessage): Promise<void> {
    return this.#sends.add(message.stream, message);
  }
}

/**
 * The most JSON text a live message can take: a number is at most 24 characters, and text at
 * most six times its length (escapes), so that a lone message of the largest kind fits a send.
 */
export function liveMessageBytesBound(message: LiveMessage): number {
  let text = message.stream.length + message.id.length;
  let numbers = 0;
  for (const series of message.series) {
    text += series.name.length;
    numbers += 2 * series.x.length;
  }
  return 6 * text + 26 * numbers + 32 * message.series.length + 128;
}

/** The oldest messages waiting, up to what one request body holds (always at least one). */
function selectSend(waiting: readonly LiveMessage[]): number[] {
  const taken: number[] = [];
  let bytes = 0;
  for (const [index, message] of waiting.entries()) {
    bytes += liveMessageBytesBound(message);
    if (taken.length > 0 && bytes > MAX_SEND_BYTES) break;
    taken.push(index);
  }
  return taken;
}
