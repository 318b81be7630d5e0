/**
 * The endpoint validation Event Grid runs before a webhook subscription becomes active.
 * - Event Grid schema delivery: a `Microsoft.EventGrid.SubscriptionValidationEvent` POSTed with
 *   `aeg-event-type: SubscriptionValidation`; the webhook answers 200 with
 *   `{"validationResponse": "<validationCode>"}`, or (manual validation) answers 2xx and GETs
 *   the event's `validationUrl` within the response time-out.
 * - CloudEvents delivery: the CloudEvents abuse-protection check, an OPTIONS request with
 *   `WebHook-Request-Origin: eventgrid.azure.net`; the webhook answers 2xx with that origin (or
 *   `*`) in `WebHook-Allowed-Origin`.
 */
import { randomUUID } from 'node:crypto';
import { webhookHeaders } from './delivery-request.js';
import type { Subscription } from './subscription.js';
import type { WebhookClient, WebhookResponse } from './webhook-client.js';

const VALIDATION_EVENT_TYPE = 'Microsoft.EventGrid.SubscriptionValidationEvent';
const WEBHOOK_REQUEST_ORIGIN = 'eventgrid.azure.net';
/** Path of the manual validation link, shaped like Azure's `.../eventsubscriptions/<name>/validate?id=<code>`. */
export const VALIDATION_LINK_PATH = /^\/eventsubscriptions\/([A-Za-z0-9-]{3,64})\/validate$/;

export class ValidationHandshakes {
  readonly #awaitingLink = new Map<string, { subscriptionName: string; confirm: () => void }>();

  constructor(
    private readonly client: WebhookClient,
    private readonly topicId: string,
    /** Base of the manual validation link, e.g. `http://127.0.0.1:7072`. */
    private readonly linkBaseUrl: () => string,
  ) {}

  /** Resolves when the webhook proved it wants the subscription; rejects with the reason otherwise. */
  async validate(subscription: Subscription): Promise<void> {
    const problem = subscription.eventDeliverySchema === 'CloudEventSchemaV1_0'
      ? await this.#abuseProtectionProblem(subscription)
      : await this.#validationEventProblem(subscription);
    if (problem !== undefined) {
      throw new Error(`Webhook validation handshake failed for subscription '${subscription.name}' (${subscription.endpointUrl.href}): ${problem}`);
    }
  }

  /** A GET on a manual validation link; true when it validated a handshake under way. */
  confirmLink(subscriptionName: string, code: string): boolean {
    const awaiting = this.#awaitingLink.get(code);
    if (awaiting?.subscriptionName !== subscriptionName) return false;
    awaiting.confirm();
    return true;
  }

  async #validationEventProblem(subscription: Subscription): Promise<string | undefined> {
    const timeoutInMs = subscription.retry.responseTimeoutInMs;
    const validationCode = randomUUID();
    const validationUrl = `${this.linkBaseUrl()}/eventsubscriptions/${subscription.name}/validate?id=${validationCode}`;
    let confirmLink!: () => void;
    const linkFetched = new Promise<void>((resolve) => { confirmLink = resolve; });
    this.#awaitingLink.set(validationCode, { subscriptionName: subscription.name, confirm: confirmLink });
    try {
      const body = JSON.stringify([{
        id: randomUUID(),
        topic: this.topicId,
        subject: '',
        data: { validationCode, validationUrl },
        eventType: VALIDATION_EVENT_TYPE,
        eventTime: new Date().toISOString(),
        metadataVersion: '1',
        dataVersion: '1',
      }]);
      const headers = { ...webhookHeaders('SubscriptionValidation', subscription.name, 0, '1'), 'content-type': 'application/json; charset=utf-8' };
      const answer = await Promise.race([
        this.client.send(subscription.endpointUrl, { method: 'POST', headers, body }, timeoutInMs),
        linkFetched.then(() => 'link' as const),
      ]);
      if (answer === 'link') return undefined;
      if ('failure' in answer) return `${answer.failure} (${answer.message})`;
      const { response } = answer;
      if (response.status < 200 || response.status > 299) return `it answered ${describe(response)}`;
      const echoed = validationResponseOf(response.body);
      if (echoed === validationCode) return response.status === 200 ? undefined : `it answered the validation code with status ${response.status}; Event Grid needs 200`;
      if (echoed !== undefined) return `its validationResponse '${echoed.slice(0, 100)}' is not the validationCode sent`;
      // Manual validation: a 2xx without the code, then a GET on validationUrl.
      const fetched = await Promise.race([linkFetched.then(() => true), delay(timeoutInMs).then(() => false)]);
      return fetched ? undefined : `it answered ${response.status} without {"validationResponse"} and did not GET the validationUrl within ${timeoutInMs} ms`;
    } finally {
      this.#awaitingLink.delete(validationCode);
    }
  }

  async #abuseProtectionProblem(subscription: Subscription): Promise<string | undefined> {
    const answer = await this.client.send(
      subscription.endpointUrl,
      { method: 'OPTIONS', headers: { 'webhook-request-origin': WEBHOOK_REQUEST_ORIGIN } },
      subscription.retry.responseTimeoutInMs,
    );
    if ('failure' in answer) return `${answer.failure} (${answer.message})`;
    const { response } = answer;
    if (response.status < 200 || response.status > 299) return `the OPTIONS request got ${describe(response)}`;
    const allowed = String(response.headers['webhook-allowed-origin'] ?? '').split(',').map((origin) => origin.trim());
    return allowed.includes(WEBHOOK_REQUEST_ORIGIN) || allowed.includes('*')
      ? undefined
      : `the OPTIONS answer has no 'WebHook-Allowed-Origin: ${WEBHOOK_REQUEST_ORIGIN}' (or '*') header`;
  }
}

function validationResponseOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const record = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown> | null;
    const value = record?.validationResponse ?? record?.ValidationResponse;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function describe(response: WebhookResponse): string {
  const text = response.body.trim().slice(0, 200);
  return `status ${response.status}${text ? `: ${text}` : ''}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
