/**
 * `ingest` (Event Grid trigger): one event per invocation, Event Grid schema or CloudEvents.
 *
 * An invalid event is logged and dropped: throwing would make Event Grid redeliver it for up to
 * 24 h to the same end. The function throws only when a dependency (storage, SignalR Service) fails,
 * so that the host answers 500 and Event Grid retries later. A retry after a failed send finds
 * the message stored but unsent and sends it again with the same seq; a redelivery of a sent
 * event is dropped.
 */
import type { InvocationContext } from '@azure/functions';
import { parseIncomingEvent } from '../events/incoming-event.js';
import { currentServices } from '../services.js';
import { countPoints } from '../store/message-points.js';
import type { FunctionDefinition } from './function-definition.js';

export async function ingest(event: unknown, context: InvocationContext): Promise<void> {
  const parsed = parseIncomingEvent(event);
  if (!parsed.ok) {
    context.warn(`dropped invalid event${parsed.eventId === undefined ? '' : ` ${JSON.stringify(parsed.eventId)}`}: ${parsed.problem}`);
    return;
  }
  const { draft } = parsed;
  const services = currentServices();
  const store = services.store();
  const outcome = await store.record(draft);
  if (outcome.kind === 'duplicate') {
    context.log(`dropped redelivery of event ${JSON.stringify(draft.id)} (stream ${draft.stream}, seq ${outcome.seq})`);
    return;
  }
  const { message } = outcome;
  await services.liveMessages().send(message);
  try {
    await store.completeDelivery(message);
  } catch (error) {
    // The points are stored and sent; a redelivery would only re-send the same seq, which clients drop.
    context.warn(`could not mark event ${JSON.stringify(draft.id)} as sent: ${(error as Error).message}`);
  }
  const resent = outcome.kind === 'unsent' ? ' (sent again after an earlier failed send)' : '';
  context.log(`stream ${message.stream} seq ${message.seq}: ${countPoints(message)} points from event ${JSON.stringify(draft.id)}${resent}`);
}

export const ingestFunction: FunctionDefinition = {
  kind: 'eventGrid',
  name: 'ingest',
  options: { handler: ingest },
};
