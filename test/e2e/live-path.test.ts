/**
 * The whole path in real Chromium against the real local stack: publisher -> Event Grid topic
 * stand-in -> `ingest` on the local Functions host -> SignalR stand-in -> `<realtime-plot>` on
 * the demo page, checked by what the widgets handed to Plotly.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addWidget, history, launchBrowser, openPage, plottedTraces, range, scrollToWidget, startTestStack, TestPublisher, uniqueStream, waitForPlottedValues, waitUntil,
} from './support.js';

// Started at the top level, so that their clean-up runs after the whole file.
const stack = await startTestStack();
const publisher = new TestPublisher(stack.topic);
const { page, problems } = await openPage(await launchBrowser(), stack.site.url);

describe('the local stack end to end', () => {
  it('draws the points a publisher sends in the widget of their stream', async () => {
    const stream = uniqueStream('single');
    await addWidget(page, { hub: stack.hubUrl, stream });
    await waitUntil('the widget to be live', () => page.evaluate((s) => [...document.querySelectorAll('realtime-plot')].find((p) => p.stream === s)?.status, stream), (status) => status === 'live');
    for (const y of range(1, 5)) await publisher.send(stream, { level: y });
    const traces = await waitForPlottedValues(page, stream, 'level', range(1, 5));
    assert.deepEqual(traces.map((trace) => trace.name), ['level']);
    assert.equal(traces[0].x.length, 5);
  });

  it('shows each widget only its own stream', async () => {
    const first = uniqueStream('first');
    const second = uniqueStream('second');
    await addWidget(page, { hub: stack.hubUrl, stream: first, type: 'markers' });
    await addWidget(page, { hub: stack.hubUrl, stream: second, type: 'bars' });
    for (const i of range(1, 6)) {
      await publisher.send(first, { a: 100 + i });
      await publisher.send(second, { b: 200 + i });
    }
    const firstTraces = await waitForPlottedValues(page, first, 'a', range(101, 106));
    const secondTraces = await waitForPlottedValues(page, second, 'b', range(201, 206));
    assert.deepEqual(firstTraces.map((trace) => trace.name), ['a']);
    assert.deepEqual(secondTraces.map((trace) => trace.name), ['b']);
  });

  it('shows a widget added late the recent past, then the live points', async () => {
    const stream = uniqueStream('late');
    for (const y of range(1, 20)) await publisher.send(stream, { value: y });
    await waitUntil('ingest to store 20 events', () => history(stack.hubUrl, stream), (response) => response.lastSeq === 20);
    await addWidget(page, { hub: stack.hubUrl, stream });
    await waitForPlottedValues(page, stream, 'value', range(1, 20));
    for (const y of range(21, 25)) await publisher.send(stream, { value: y });
    await waitForPlottedValues(page, stream, 'value', range(1, 25));
  });

  it("publishes a burst from the demo page's Run button", async () => {
    await page.fill('#run-events', '30');
    await page.click('#run');
    await scrollToWidget(page, 'demo/run');
    await waitUntil('the Run result', () => page.textContent('#run-result'), (text) => text?.startsWith('Published 30 events') === true);
    const traces = await waitUntil('demo/run to plot 30 points per series', () => plottedTraces(page, 'demo/run'), (traces) =>
      traces.length === 2 && traces.every((trace) => trace.y.length === 30));
    for (const trace of traces) assert.ok(trace.y.every((y) => Number.isInteger(y) && y >= 1 && y <= 99), `${trace.name}: ${trace.y.join(',')}`);
  });

  it('shows the status of every chart on the demo page, and reports no page errors', async () => {
    const statuses = await waitUntil('every chart to be live', () => page.$$eval('#status tbody tr', (rows) => rows.map((row) => (row as HTMLTableRowElement).cells[2].textContent)), (cells) =>
      cells.length >= 4 && cells.every((cell) => cell === 'live'));
    assert.ok(statuses.length >= 4);
    assert.deepEqual(problems.errors, []);
    assert.deepEqual(await problems.violations(), []);
  });
});
