import { expect } from 'chai';
import { SignJWT } from 'jose';
import type { PlotError } from '../../widget/realtime-plot.js';
import { existingHubClient } from '../../widget/connection/hub-client-pool.js';
import { useLocalStack } from './support/local-stack.js';
import { createPlot, reportNetwork, waitFor } from './support/plot-fixture.js';

const CALLER_SECRET = 'a-caller-secret-of-at-least-32-bytes!';

function callerToken(streams: string[]): Promise<string> {
  return new SignJWT({ streams })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('https://login.example')
    .setAudience('realtime-plot-tests')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(CALLER_SECRET));
}

describe('<realtime-plot> status and error reasons', function () {
  this.timeout(90_000);

  const stack = useLocalStack({
    freshConnectionPerTest: true,
    publicStreams: 'demo/*',
    settings: {
      CALLER_JWT_SECRET: CALLER_SECRET,
      CALLER_JWT_ISSUER: 'https://login.example',
      CALLER_JWT_AUDIENCE: 'realtime-plot-tests',
    },
  });

  it('is idle without hub and stream', async () => {
    const plot = createPlot({});
    await plot.updateComplete;
    expect(plot.status).to.equal('idle');
    expect(plot.shadowRoot!.querySelector('[part="empty"]')!.textContent).to.contain('hub and stream');
  });

  it('goes connecting, then live, and tells with events', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/status' });
    const statuses: string[] = [];
    plot.addEventListener('realtime-plot-status-change', (event) => statuses.push(event.detail.status));
    await waitFor(() => plot.status === 'live', 'live');
    expect(statuses).to.deep.equal(['connecting', 'live']);
    expect(plot.shadowRoot!.querySelector('[part="status"]')!.textContent).to.equal('Live');
  });

  it('reports a malformed stream name without contacting the hub', async () => {
    const errors: PlotError[] = [];
    const plot = document.createElement('realtime-plot');
    plot.addEventListener('realtime-plot-error', (event) => errors.push(event.detail));
    plot.hub = stack().hub;
    plot.stream = 'no//double/slashes';
    document.body.append(plot);
    await plot.updateComplete;
    plot.remove();
    expect(plot.status).to.equal('error');
    expect(errors.map((error) => error.code)).to.deep.equal(['invalid-attribute']);
    expect(existingHubClient(stack().hub)).to.equal(undefined);
  });

  it('says so when the hub URL has no realtime-plot API', async () => {
    const plot = createPlot({ hub: `${stack().hub}/not-the-api`, stream: 'demo/status' });
    await waitFor(() => plot.status === 'error', 'an error');
    expect(plot.error?.code).to.equal('hub-not-found');
    expect(plot.shadowRoot!.querySelector('[part="message"]')!.textContent).to.contain('check the hub attribute');
  });

  it('says so when the hub cannot be reached', async () => {
    const plot = createPlot({ hub: 'http://127.0.0.1:9/api', stream: 'demo/status' });
    await waitFor(() => plot.status === 'error', 'an error');
    expect(plot.error?.code).to.equal('hub-unreachable');
  });

  it('says so when the stream is not readable, and reads it with a caller token that grants it', async () => {
    const refused = createPlot({ hub: stack().hub, stream: 'private/boiler' });
    await waitFor(() => refused.status === 'error', 'an error');
    expect(refused.error?.code).to.equal('stream-forbidden');
    expect(refused.error?.message).to.contain('private/boiler');
    refused.remove();
    await waitFor(() => existingHubClient(stack().hub) === undefined, 'the connection to close');

    const granted = document.createElement('realtime-plot');
    granted.tokenProvider = () => callerToken(['private/*']);
    granted.hub = stack().hub;
    granted.stream = 'private/boiler';
    document.body.append(granted);
    try {
      await waitFor(() => granted.status === 'live', 'live with the caller token');
      await stack().publishPoints('private/boiler', [{ x: Date.now(), y: 1 }]);
      await waitFor(() => granted.pointCount === 1, 'the private point');
    } finally {
      granted.remove();
    }
  });

  it('shows offline while the network is gone, and comes back by itself', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/offline' });
    await waitFor(() => plot.status === 'live', 'live');
    reportNetwork(false);
    // The connection breaks; with no network, retries wait for it to come back.
    await stack().stopSignalR();
    await waitFor(() => plot.status === 'offline', 'offline');
    await stack().startSignalR();
    reportNetwork(true);
    await waitFor(() => plot.status === 'live', 'live again', 60_000);
  });
});
