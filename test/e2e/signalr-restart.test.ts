/**
 * The SignalR Service stand-in stops and starts again (same port, empty memory) while points are
 * being published: the widgets reconnect, subscribe again, fill the gap from history, and end up
 * showing every point exactly once. Deliveries that failed while the service was down are
 * retried by the topic on its schedule; the widgets drop the duplicates that this causes.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addWidget, launchBrowser, openPage, range, startTestStack, TestPublisher, uniqueStream, waitForPlottedValues, waitUntil } from './support.js';

const stack = await startTestStack();
const publisher = new TestPublisher(stack.topic);
const { page } = await openPage(await launchBrowser(), stack.site.url);

it('widgets recover from a SignalR Service restart mid-stream and show every point once', async () => {
  const streams = [uniqueStream('restart-a'), uniqueStream('restart-b')];
  await page.evaluate(() => {
    const seen: string[] = [];
    const accepted: { stream: string; seq: number; source: string }[] = [];
    Object.assign(window, { statusesSeen: seen, accepted });
    document.addEventListener('realtime-plot-status-change', (event) => seen.push((event as CustomEvent<{ status: string }>).detail.status));
    document.addEventListener('realtime-plot-data', (event) => {
      const { message, source } = (event as CustomEvent<{ message: { stream: string; seq: number }; source: string }>).detail;
      accepted.push({ stream: message.stream, seq: message.seq, source });
    });
  });
  for (const stream of streams) await addWidget(page, { hub: stack.hubUrl, stream });
  const statuses = () => page.evaluate((streams) => streams.map((s) => [...document.querySelectorAll('realtime-plot')].find((p) => p.stream === s)?.status), streams);
  await waitUntil('both widgets to be live', statuses, (all) => all.every((status) => status === 'live'));

  const signalR = stack.signalR!;
  for (const y of range(1, 60)) {
    if (y === 21) await signalR.stop();
    if (y === 41) await signalR.start();
    for (const stream of streams) await publisher.send(stream, { value: y });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  for (const stream of streams) {
    const traces = await waitForPlottedValues(page, stream, 'value', range(1, 60));
    assert.equal(traces[0].y.length, 60, `${stream} shows each point once`);
  }
  await waitUntil('both widgets to be live again', statuses, (all) => all.every((status) => status === 'live'));
  const seen = await page.evaluate(() => (window as unknown as { statusesSeen: string[] }).statusesSeen);
  assert.ok(seen.includes('reconnecting'), `the widgets noticed the outage (statuses: ${seen.join(', ')})`);

  // Subscribed again: what comes next arrives live.
  for (const y of range(61, 70)) for (const stream of streams) await publisher.send(stream, { value: y });
  for (const stream of streams) await waitForPlottedValues(page, stream, 'value', range(1, 70));
  const accepted = await page.evaluate(() => (window as unknown as { accepted: { stream: string; seq: number; source: string }[] }).accepted);
  for (const stream of streams) {
    const ofStream = accepted.filter((record) => record.stream === stream);
    assert.deepEqual(ofStream.map((record) => record.seq).sort((a, b) => a - b), range(1, 70), `${stream}: each seq accepted once`);
    assert.ok(ofStream.some((record) => record.source === 'history'), `${stream}: the gap was filled from history`);
    assert.deepEqual(ofStream.filter((record) => record.seq > 60).map((record) => record.source), Array(10).fill('live'), `${stream}: after the restart, points arrive live`);
  }
});
