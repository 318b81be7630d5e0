import { expect } from 'chai';
import { useLocalStack } from './support/local-stack.js';
import { createPlot, drawnSeries, waitFor } from './support/plot-fixture.js';

const PAYLOADS = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<a href="javascript:window.__pwned = \'link\'">click</a>',
  '<b>bold</b> &amp; <br>',
];

describe('<realtime-plot> shows names as text, never as markup', function () {
  this.timeout(90_000);

  const stack = useLocalStack();

  it('renders markup in series names and the heading as the literal text', async () => {
    const stream = 'demo/markup';
    await stack().publish({ stream, data: { points: PAYLOADS.map((series, i) => ({ series, x: Date.UTC(2026, 0, 1) + i, y: i })) } });
    const plot = createPlot({ hub: stack().hub, stream, heading: PAYLOADS[1] });
    await waitFor(() => drawnSeries(plot).size === PAYLOADS.length, 'every series drawn');
    await waitFor(() => plot.shadowRoot!.querySelectorAll('.legendtext').length === PAYLOADS.length, 'the legend');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const root = plot.shadowRoot!;
    expect([...root.querySelectorAll('.legendtext')].map((text) => text.textContent)).to.deep.equal(PAYLOADS);
    expect(root.querySelector('[part="heading"]')!.textContent).to.equal(PAYLOADS[1]);
    expect(root.querySelectorAll('script, img, a, b, br, foreignObject')).to.have.length(0);
    expect(document.querySelectorAll('img')).to.have.length(0);
    expect((window as { __pwned?: string }).__pwned).to.equal(undefined);
  });

  it('shows a stream name with markup as the literal heading and error, and creates no element from it', async () => {
    for (const stream of PAYLOADS) {
      const plot = createPlot({ hub: stack().hub, stream });
      await waitFor(() => plot.status === 'error', 'the invalid stream reported');
      const root = plot.shadowRoot!;
      expect(root.querySelector('[part="heading"]')!.textContent).to.equal(stream);
      expect(plot.error?.code).to.equal('invalid-attribute');
      expect(root.querySelectorAll('script, img, a, b, br, foreignObject')).to.have.length(0);
      plot.remove();
    }
    expect(document.querySelectorAll('img')).to.have.length(0);
    expect((window as { __pwned?: string }).__pwned).to.equal(undefined);
  });
});
