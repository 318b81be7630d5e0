import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import { useLocalStack } from './support/local-stack.js';
import { T0, createPlot, waitFor } from './support/plot-fixture.js';

describe('<realtime-plot> accessibility', function () {
  this.timeout(90_000);

  const stack = useLocalStack();

  it('is a labelled figure whose chart has a text alternative', async () => {
    const plot = createPlot({ hub: stack().hub, stream: 'demo/a11y', heading: 'Boiler 7' });
    await plot.updateComplete;
    const base = plot.shadowRoot!.querySelector('[part="base"]')!;
    expect(base.getAttribute('role')).to.equal('figure');
    expect(plot.shadowRoot!.getElementById(base.getAttribute('aria-labelledby')!)!.textContent).to.equal('Boiler 7');
    expect(plot.shadowRoot!.querySelector('.plot')!.getAttribute('aria-label')).to.equal('Chart of Boiler 7');
    expect(plot.shadowRoot!.querySelector('[part="status"]')!.getAttribute('role')).to.equal('status');
  });

  it('reaches Pause/Live, CSV and PNG with the keyboard, and Enter toggles live', async () => {
    const before = document.createElement('button');
    before.textContent = 'before';
    document.body.append(before);
    const plot = createPlot({ hub: stack().hub, stream: 'demo/a11y' });
    try {
      await plot.updateComplete;
      before.focus();
      const focused: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        await sendKeys({ press: 'Tab' });
        focused.push(plot.shadowRoot!.activeElement?.getAttribute('part') ?? '');
      }
      expect(focused).to.deep.equal(['control pause-button', 'control csv-button', 'control png-button']);
      (plot.shadowRoot!.querySelector('[part~="pause-button"]') as HTMLButtonElement).focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => plot.paused, 'paused by Enter');
      await sendKeys({ press: 'Enter' });
      await waitFor(() => !plot.paused, 'live again by Enter');
    } finally {
      before.remove();
    }
  });

  it('speaks the latest values through a polite live region, at most once per interval', async () => {
    const stream = 'demo/a11y-summary';
    const plot = createPlot({ hub: stack().hub, stream, heading: 'Boiler' });
    await waitFor(() => plot.status === 'live', 'live');
    const region = plot.shadowRoot!.querySelector('[aria-live="polite"]')!;
    let changes = 0;
    new MutationObserver(() => (changes += 1)).observe(region, { childList: true, characterData: true, subtree: true });
    await stack().publishPoints(stream, [{ series: 'inside', x: T0, y: 21.5 }, { series: 'outside', x: T0, y: 3.25 }]);
    await waitFor(() => /outside 3\.25/.test(region.textContent ?? ''), 'the summary');
    expect(region.textContent).to.match(/^Latest of Boiler: inside 21\.5, outside 3\.25 \(at .+\)\.$/);
    const changesAfterFirst = changes;
    await stack().publishPoints(stream, [1, 2, 3].map((i) => ({ series: 'inside', x: T0 + i, y: 22 + i })));
    await waitFor(() => plot.pointCount === 5, 'the next points');
    expect(changes).to.equal(changesAfterFirst);
  });
});
