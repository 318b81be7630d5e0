/**
 * Access tokens that expire during a long session. A stream that needs a caller token gets an
 * access token that expires with the caller token (here after 12 s), and a group membership
 * that ends with it too; the page's sign-in hands out fresh caller tokens. Over a session of
 * several lifetimes, with a forced reconnect after a token has expired, the widget renews and
 * shows every point once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALLER_SECRET_SETTINGS, signCallerToken } from '../api/support/tokens.js';
import { eventually, RestApi } from '../signalr/support.js';
import { pointEvent, startFaultStack, type FaultStack } from './support/local-stack.js';
import { oneTo } from './support/live-subscriber.js';
import { startWidgetBrowser, type WidgetBrowser } from './support/widget-browser.js';

const CALLER_TOKEN_LIFETIME_IN_SECONDS = 12;
const STREAM = 'private/long-session';
/** Published one every 500 ms: about three token lifetimes. */
const POINTS = 80;
/** Every connection is dropped after this point, past the first token's lifetime. */
const RECONNECT_AFTER = (CALLER_TOKEN_LIFETIME_IN_SECONDS + 3) * 2;

/** The page's sign-in: a fresh short-lived caller token granting the private streams. */
const callerToken = () => signCallerToken({ streams: ['private/*'] }, { expiresIn: `${CALLER_TOKEN_LIFETIME_IN_SECONDS}s` });

describe('an access token expires during a long session', () => {
  let browser: WidgetBrowser;
  let stack: FaultStack;

  before(async () => {
    browser = await startWidgetBrowser({ callerToken });
    // No clock skew allowance: an expired token is expired.
    const settings = { ...CALLER_SECRET_SETTINGS, CALLER_JWT_CLOCK_SKEW_SECONDS: '0', PUBLIC_STREAMS: 'public/*' };
    stack = await startFaultStack({ corsAllowedOrigins: [browser.origin], settings });
  });
  after(async () => {
    await browser?.stop();
    await stack?.stop();
  });

  it('the widget renews its token and its membership and loses no point', async () => {
    await browser.open(stack.host.apiUrl, STREAM, { withCallerToken: true });
    await eventually(async () => (await browser.snapshot(STREAM)).statuses.at(-1) === 'live', 'the widget is live');

    for (const x of oneTo(POINTS)) {
      await stack.publish([pointEvent(STREAM, x)]);
      // The connection must come back with a fresh token.
      if (x === RECONNECT_AFTER) {
        const rest = new RestApi(stack.signalR(), '2022-06-01');
        assert.equal((await rest.call('POST', rest.url('realtimeplot', '/:closeConnections'))).status, 204);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await stack.topic.whenIdle();

    await eventually(async () => (await browser.snapshot(STREAM)).series[0]?.x.length === POINTS, 'the widget shows every point', 30_000);
    const shown = await browser.snapshot(STREAM);
    assert.deepEqual(shown.series, [{ name: 's', x: oneTo(POINTS), y: oneTo(POINTS) }]);
    assert.deepEqual(shown.accepted.map((record) => record.seq).sort((a, b) => a - b), oneTo(POINTS), 'each message accepted once');
    assert.ok(browser.callerTokenRequests >= 3, `the page was asked for a caller token ${browser.callerTokenRequests} times`);
    // Well after the forced reconnect, and across further expiries, points keep arriving live (no silent stall).
    const lateFromHistory = shown.accepted.filter((record) => record.seq > RECONNECT_AFTER + 20 && record.source !== 'live');
    assert.deepEqual(lateFromHistory, [], 'the rest of the session arrived live');
    // Renewing tokens and memberships shows nothing: the one break a reader sees is the forced reconnect.
    const breaks = shown.statuses.slice(shown.statuses.indexOf('live')).filter((status) => status !== 'live');
    assert.ok(breaks.length <= 1 && breaks.every((status) => status === 'reconnecting'), `statuses after going live: ${shown.statuses.join(', ')}`);
  });
});
