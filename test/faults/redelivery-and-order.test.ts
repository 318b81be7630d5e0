/**
 * Event Grid delivers at least once and in no particular order. Events published out of order,
 * some several times (again later, and twice in one request, so the copies are delivered at
 * the same moment), are stored once each with consecutive seqs; the live messages carry each
 * event under one seq; and the widget shows every point once, in x order.
 */
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../signalr/support.js';
import { pointEvent, startFaultStack, type FaultStack } from './support/local-stack.js';
import { LiveSubscriber, oneTo } from './support/live-subscriber.js';
import { startWidgetBrowser, type WidgetBrowser } from './support/widget-browser.js';

const STREAM = 'faults/out-of-order';
const COUNT = 40;

describe('redelivered and out-of-order events', () => {
  let browser: WidgetBrowser;
  let stack: FaultStack;
  let subscriber: LiveSubscriber;

  before(async () => {
    browser = await startWidgetBrowser();
    stack = await startFaultStack({ corsAllowedOrigins: [browser.origin] });
    subscriber = await LiveSubscriber.connect({ apiUrl: stack.host.apiUrl, streams: [STREAM] });
    await browser.open(stack.host.apiUrl, STREAM);
    await eventually(async () => (await browser.snapshot(STREAM)).statuses.at(-1) === 'live', 'the widget is live');
  });
  after(async () => {
    await subscriber?.stop();
    await browser?.stop();
    await stack?.stop();
  });

  it('are stored once each, sent under one seq each, and shown once each in x order', async () => {
    const events = oneTo(COUNT).map((x) => pointEvent(STREAM, x));
    const [shuffled] = fc.sample(fc.shuffledSubarray(events, { minLength: COUNT, maxLength: COUNT }), { seed: 7, numRuns: 1 });
    for (let start = 0; start < COUNT; start += 7) await stack.publish(shuffled.slice(start, start + 7));
    // Copies: later, and side by side in one request (delivered concurrently).
    await stack.publish([...shuffled.slice(0, 10), ...shuffled.slice(0, 5)]);
    await Promise.all([stack.publish(shuffled.slice(20, 30)), stack.publish(shuffled.slice(25, 35))]);
    await stack.topic.whenIdle();
    assert.deepEqual(stack.topic.deadLetters(), [], 'every delivery was accepted');

    const history = await stack.history(STREAM);
    assert.equal(history.lastSeq, COUNT);
    assert.deepEqual(history.messages.map((message) => message.seq), oneTo(COUNT), 'seqs 1..N, none twice');
    assert.deepEqual(history.messages.map((message) => message.id).sort(), events.map((event) => event.id).sort(), 'each event stored once');
    const idOfSeq = new Map(history.messages.map((message) => [message.seq, message.id]));

    await eventually(() => subscriber.seqs(STREAM).length === COUNT, 'every seq live');
    for (const message of subscriber.of(STREAM)) {
      assert.equal(message.id, idOfSeq.get(message.seq), `a live message with seq ${message.seq} is always the same event`);
    }

    await eventually(async () => (await browser.snapshot(STREAM)).accepted.length >= COUNT, 'the widget has every message');
    const shown = await browser.snapshot(STREAM);
    assert.deepEqual(shown.accepted.map((record) => record.seq).sort((a, b) => a - b), oneTo(COUNT), 'each message accepted once');
    assert.deepEqual(shown.series, [{ name: 's', x: oneTo(COUNT), y: oneTo(COUNT) }], 'each point once, in x order');
    assert.equal(shown.restarts, 0);
  });
});
