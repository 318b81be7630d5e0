import { expect } from 'chai';
import { csvText, seriesToCsv } from '../../widget/data/csv.js';
import { useLocalStack } from './support/local-stack.js';
import { T0, createPlot, dragZoom, drawnSeries, waitFor } from './support/plot-fixture.js';

describe('CSV export', function () {
  this.timeout(90_000);

  describe('fields', () => {
    it('quotes what needs quoting and keeps spreadsheet formulas as text', () => {
      expect(csvText('inside')).to.equal('inside');
      expect(csvText('a,b')).to.equal('"a,b"');
      expect(csvText('say "hi"')).to.equal('"say ""hi"""');
      expect(csvText('two\nlines')).to.equal('"two\nlines"');
      expect(csvText(' padded')).to.equal('" padded"');
      expect(csvText('=1+1')).to.equal("'=1+1");
      expect(csvText('+1')).to.equal("'+1");
      expect(csvText('-1')).to.equal("'-1");
      expect(csvText('@SUM(A1)')).to.equal("'@SUM(A1)");
      expect(csvText('=HYPERLINK("http://x","y")')).to.equal(`"'=HYPERLINK(""http://x"",""y"")"`);
    });

    it('writes one row per point, times as ISO-8601, numbers as numbers', () => {
      const csv = seriesToCsv([{ name: 'in,side', x: [Date.UTC(2026, 0, 1)], y: [-1.5] }], 'time');
      expect(csv).to.equal('series,time,y\r\n"in,side",2026-01-01T00:00:00.000Z,-1.5\r\n');
      expect(seriesToCsv([{ name: 'n', x: [1, 2], y: [3, 4] }], 'number')).to.equal('series,x,y\r\nn,1,3\r\nn,2,4\r\n');
    });
  });

  describe('of a live chart', () => {
    const stack = useLocalStack();

    it('exports the points on view, with series names as text', async () => {
      const stream = 'demo/csv';
      await stack().publish({
        stream,
        data: { points: [{ series: 'inside', x: T0, y: 21.5 }, { series: '=cmd|"/c calc"!A1', x: T0, y: 3 }, { series: 'inside', x: T0 + 500, y: 21.25 }] },
      });
      const plot = createPlot({ hub: stack().hub, stream });
      await waitFor(() => plot.pointCount === 3, 'the 3 points');
      expect(plot.toCsv()).to.equal(
        'series,time,y\r\n' +
          'inside,2026-01-01T12:00:00.000Z,21.5\r\n' +
          'inside,2026-01-01T12:00:00.500Z,21.25\r\n' +
          `"'=cmd|""/c calc""!A1",2026-01-01T12:00:00.000Z,3\r\n`,
      );
    });

    it('exports what a paused or zoomed view shows, from the CSV button', async () => {
      const stream = 'demo/csv-zoom';
      await stack().publishPoints(stream, Array.from({ length: 20 }, (_, i) => ({ series: 's', x: i + 1, y: (i + 1) * 10 })));
      const plot = createPlot({ hub: stack().hub, stream, 'x-axis': 'number' });
      await waitFor(() => drawnSeries(plot).get('s')?.y.length === 20, '20 points drawn');

      await dragZoom(plot, 0.25, 0.75);
      await waitFor(() => plot.paused, 'paused by the zoom');
      await stack().publishPoints(stream, [{ series: 's', x: 21, y: 210 }]);
      await waitFor(() => plot.pointCount === 21, 'the new point kept');

      const range = (plot.shadowRoot!.querySelector('.plot') as HTMLElement & { layout: { xaxis: { range: [number, number] } } }).layout.xaxis.range;
      const blobs: Blob[] = [];
      const createObjectURL = URL.createObjectURL;
      URL.createObjectURL = (blob: Blob) => {
        blobs.push(blob);
        return createObjectURL(blob);
      };
      try {
        plot.shadowRoot!.querySelector<HTMLButtonElement>('[part~="csv-button"]')!.click();
      } finally {
        URL.createObjectURL = createObjectURL;
      }
      expect(blobs).to.have.length(1);
      const rows = (await blobs[0].text()).trim().split('\r\n');
      expect(rows[0]).to.equal('series,x,y');
      const xs = rows.slice(1).map((row) => Number(row.split(',')[1]));
      expect(xs.length).to.be.within(2, 18);
      for (const x of xs) expect(x).to.be.within(range[0], range[1]);
      expect(xs).not.to.include(21);
    });
  });
});
