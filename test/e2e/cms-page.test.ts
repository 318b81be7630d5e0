/**
 * The CMS-style page: the widget script from another origin than the page and the API, the
 * charts pasted as plain tags, and the page served with the strict Content-Security-Policy of
 * content-security-policy.ts. The widgets must go live and draw with no CSP violation at all.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { launchBrowser, openPage, plottedTraces, range, startTestStack, TestPublisher, waitUntil } from './support.js';

const stack = await startTestStack();
const publisher = new TestPublisher(stack.topic);
const browser = await launchBrowser();
const STREAMS = ['demo/temperature', 'demo/vibration'];

it('serves the page with a strict policy, the widget from its own origin', async () => {
  const response = await fetch(stack.site.pageUrl('cms.html'));
  const policy = response.headers.get('content-security-policy') ?? '';
  assert.match(policy, /(^|; )default-src 'none'/);
  assert.doesNotMatch(policy, /unsafe-eval|unsafe-inline/);
  const html = await response.text();
  const scriptUrl = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
  assert.equal(scriptUrl, stack.site.widgetScriptUrl);
  const origins = new Set([new URL(scriptUrl!).origin, stack.site.origin, new URL(stack.hubUrl).origin]);
  assert.equal(origins.size, 3, 'script, page and API each have their own origin');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'the page has no inline script');
});

it('draws live charts under that policy without a single violation', async () => {
  const { page, problems } = await openPage(browser, stack.site.pageUrl('cms.html'));
  await waitUntil('both widgets to be live', () => page.$$eval('realtime-plot', (plots) => plots.map((plot) => plot.status)), (statuses) =>
    statuses.length === 2 && statuses.every((status) => status === 'live'));
  for (const y of range(1, 5)) for (const stream of STREAMS) await publisher.send(stream, { reading: y });
  for (const stream of STREAMS) {
    await page.evaluate((stream) => [...document.querySelectorAll('realtime-plot')].find((plot) => plot.stream === stream)?.scrollIntoView(), stream);
    await waitUntil(`${stream} to draw 5 points`, () => plottedTraces(page, stream), (traces) => traces[0]?.y.length === 5);
  }
  // Plotly's own rules (added through the CSSOM into the hash-allowed empty <style>) reach the shadow root.
  const layering = await page.$eval('realtime-plot', (plot) => getComputedStyle(plot.shadowRoot!.querySelector('.main-svg')!).position);
  assert.equal(layering, 'absolute');
  await page.hover('realtime-plot');
  // The PNG button's path: Plotly draws the SVG through a blob: image (img-src blob:).
  const download = page.waitForEvent('download');
  await page.$eval('realtime-plot', (plot) => plot.downloadPng());
  assert.match((await download).suggestedFilename(), /\.png$/);
  assert.deepEqual(await problems.violations(), []);
  assert.deepEqual(problems.errors, []);

  // The recorder does see a violation when there is one: an inline style the policy does not allow.
  await page.evaluate(() => document.head.append(Object.assign(document.createElement('style'), { textContent: 'body { margin: 0 }' })));
  await waitUntil('the blocked inline style to be reported', () => problems.violations(), (violations) => violations.some((violation) => violation.startsWith('style-src')));
});
