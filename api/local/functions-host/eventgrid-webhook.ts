/**
 * `/runtime/webhooks/eventgrid?functionName=<name>` as the Functions host's Event Grid
 * extension answers it:
 *
 * | request | answer |
 * |---|---|
 * | unknown `functionName` | 404 |
 * | OPTIONS with `WebHook-Request-Origin` (CloudEvents abuse protection) | 200, origin echoed in `WebHook-Allowed-Origin` |
 * | `aeg-event-type: SubscriptionValidation` | 200 `{"validationResponse": "<code>"}` |
 * | `aeg-event-type: Notification`, array or single event | each event to the function; 202, or 500 if an invocation threw |
 * | `aeg-event-type: Unsubscribe` | 202 |
 * | missing or other `aeg-event-type` | 400 |
 *
 * Where the extension would fail with 500 on input Event Grid never sends (malformed JSON, a
 * body that is neither object nor array, a non-JSON content type), this answers 400/415 with a
 * JSON error naming the problem.
 */
import { errorResponse, jsonResponse, type LocalResponse } from './local-response.js';

export interface WebhookRequest {
  method: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** Runs one event through the function; rejects when the invocation failed. */
export type InvokeEvent = (event: unknown) => Promise<void>;

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function handleEventGridWebhook(request: WebhookRequest, functionName: string, invoke: InvokeEvent | undefined): Promise<LocalResponse> {
  if (!invoke) return errorResponse(404, 'FunctionNotFound', `cannot find function: '${functionName.slice(0, 128)}'`);

  if (request.method === 'OPTIONS') {
    const origin = request.headers['webhook-request-origin'];
    if (!origin) return errorResponse(400, 'MissingWebHookRequestOrigin', 'an OPTIONS validation request needs a WebHook-Request-Origin header');
    return { status: 200, headers: { 'webhook-allowed-origin': origin, 'webhook-allowed-rate': '*', allow: 'POST, OPTIONS' } };
  }

  const eventType = (request.headers['aeg-event-type'] ?? '').toLowerCase();
  if (eventType === 'unsubscribe') return { status: 202 };
  if (eventType !== 'subscriptionvalidation' && eventType !== 'notification') {
    return errorResponse(400, 'InvalidEventType', 'aeg-event-type must be SubscriptionValidation, Notification or Unsubscribe');
  }

  const contentType = request.headers['content-type'];
  if (contentType && !JSON_CONTENT_TYPE.test(contentType.trim())) {
    return errorResponse(415, 'UnsupportedMediaType', `Event Grid deliveries are JSON, not ${JSON.stringify(contentType.slice(0, 80))}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(request.body.toString('utf8'));
  } catch (error) {
    return errorResponse(400, 'InvalidJson', `the body is not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
  if (typeof payload !== 'object' || payload === null) {
    return errorResponse(400, 'InvalidBody', 'the body must be a JSON array of events or one event object');
  }

  if (eventType === 'subscriptionvalidation') return validationResponse(payload);

  const events = Array.isArray(payload) ? payload : [payload];
  // The extension starts every invocation at once and fails the delivery if any failed.
  const results = await Promise.allSettled(events.map((event) => invoke(event)));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    const reason = failure.reason instanceof Error ? failure.reason.message : String(failure.reason);
    return errorResponse(500, 'InvocationFailed', `${functionName} failed: ${reason}`);
  }
  return { status: 202 };
}

/** The code is in `data.validationCode` of the first event, or of a CloudEvent's (double-encoded) data. */
function validationResponse(payload: object): LocalResponse {
  let code: unknown;
  try {
    if (Array.isArray(payload)) {
      code = (payload[0] as { data?: { validationCode?: unknown } } | undefined)?.data?.validationCode;
    } else {
      const data = (payload as { data?: unknown }).data;
      code = (typeof data === 'string' ? (JSON.parse(data) as { validationCode?: unknown }) : (data as { validationCode?: unknown } | undefined))?.validationCode;
    }
  } catch {
    code = undefined;
  }
  if (typeof code !== 'string') return errorResponse(400, 'MissingValidationCode', 'the validation event has no data.validationCode string');
  return jsonResponse(200, { validationResponse: code });
}
