/**
 * `ingest` while storage or SignalR Service is briefly down: the webhook answers 500, the real
 * Event Grid topic stand-in retries on its (shortened) schedule, and once the dependency is
 * started again on the same port every point arrives: stored once each, live at a stock client,
 * and in the widget. (How widgets reconnect after a SignalR restart is test/e2e/signalr-restart's
 * subject; here it is the ingest side: failed sends retried, stored messages sent again.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../signalr/support.js';
import { pointEvent, startFaultStack, type FaultStack } from './support/local-stack.js';
import { LiveSubscriber, oneTo } from './support/live-subscriber.js';
import { startWidgetBrowser, type WidgetBrowser } from './support/widget-browser.js';

const POINTS = 12;

describe('a dependency of ingest is briefly unavailable', () => {
  let browser: WidgetBrowser;
  let stack: FaultStack;

  before(async () => {
    browser = await startWidgetBrowser();
    stack = await startFaultStack({ corsAllowedOrigins: [browser.origin], restartableStorage: true });
  });
  after(async () => {
    await browser?.stop();
    await stack?.stop();
  });

  const webhookFailed = () => stack.topicLog.some((line) => /delivery to .*functionName=ingest failed \(status 500\)/.test(line));
  const webhookRecovered = () => stack.topicLog.some((line) => /functionName=ingest accepts deliveries again/.test(line));

  async function openWidget(stream: string): Promise<void> {
    await browser.open(stack.host.apiUrl, stream);
    await eventually(async () => (await browser.snapshot(stream)).statuses.at(-1) === 'live', `the widget on ${stream} is live`);
  }

  async function assertEveryPointArrived(stream: string, subscriber?: LiveSubscriber): Promise<void> {
    await stack.topic.whenIdle();
    assert.deepEqual(stack.topic.deadLetters(), [], 'no event was given up');
    const history = await stack.history(stream);
    assert.deepEqual(history.messages.map((message) => message.seq), oneTo(POINTS), 'each event stored once');
    if (subscriber) await eventually(() => subscriber.seqs(stream).length === POINTS, 'every seq live at the stock client');
    await eventually(async () => (await browser.snapshot(stream)).series[0]?.x.length === POINTS, `the widget on ${stream} shows every point`);
    const shown = await browser.snapshot(stream);
    assert.deepEqual(shown.series, [{ name: 's', x: oneTo(POINTS), y: oneTo(POINTS) }]);
    assert.deepEqual(shown.accepted.map((record) => record.seq).sort((a, b) => a - b), oneTo(POINTS), 'each message accepted once');
  }

  it('storage (Azurite) stops and starts again: 500, retries, then every point once', async () => {
    const stream = 'faults/storage-outage';
    await openWidget(stream);
    const subscriber = await LiveSubscriber.connect({ apiUrl: stack.host.apiUrl, streams: [stream] });
    try {
      await stack.publish([pointEvent(stream, 1)]);
      await eventually(() => subscriber.seqs(stream).length === 1, 'the first point before the outage');

      await stack.stopStorage();
      await stack.publish(oneTo(POINTS).slice(1).map((x) => pointEvent(stream, x)));
      await eventually(webhookFailed, 'the webhook answering 500');
      assert.equal(subscriber.seqs(stream).length, 1, 'nothing is sent while nothing can be stored');
      await stack.startStorage();

      await eventually(webhookRecovered, 'the webhook accepting deliveries again');
      await assertEveryPointArrived(stream, subscriber);
    } finally {
      await subscriber.stop();
    }
  });

  it('SignalR Service stops and starts again: 500, retries, stored messages sent again, every point once', async () => {
    const stream = 'faults/signalr-outage';
    stack.topicLog.length = 0;
    await openWidget(stream);
    await stack.publish([pointEvent(stream, 1)]);
    await eventually(async () => (await browser.snapshot(stream)).accepted.length === 1, 'the first point before the outage');

    await stack.stopSignalR();
    await stack.publish(oneTo(POINTS).slice(1).map((x) => pointEvent(stream, x)));
    await eventually(webhookFailed, 'the webhook answering 500');
    await stack.startSignalR();

    await eventually(webhookRecovered, 'the webhook accepting deliveries again');
    await assertEveryPointArrived(stream);
    const resent = stack.logs.filter((entry) => entry.message.includes('sent again after an earlier failed send'));
    assert.ok(resent.length > 0, 'stored but unsent messages were sent on the retry');
  });
});
