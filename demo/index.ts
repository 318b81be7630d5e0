/**
 * The demo page's own script: the Run button (a burst through the demo site's endpoint, which
 * publishes with the topic key on the server; the page never sees a key), a chart added on
 * request, and a status table fed by the widgets' events.
 */
import type { BurstOutcome } from '../api/local/stack/demo-site.js';
import type { RealtimePlot } from '../widget/realtime-plot.component.js';

const BURST_PATH = '/demo-api/burst';

interface StatusRow {
  status: HTMLTableCellElement;
  messages: HTMLTableCellElement;
  lastSeq: HTMLTableCellElement;
  count: number;
}

const rows = new Map<RealtimePlot, StatusRow>();
const table = document.querySelector<HTMLTableSectionElement>('#status tbody')!;
const charts = document.querySelector<HTMLElement>('.charts')!;

function rowOf(plot: RealtimePlot): StatusRow {
  let row = rows.get(plot);
  if (!row) {
    const tr = table.insertRow();
    const cell = (text: string): HTMLTableCellElement => {
      const td = tr.insertCell();
      td.textContent = text;
      return td;
    };
    cell(plot.stream);
    cell(plot.type);
    row = { status: cell(plot.status), messages: cell('0'), lastSeq: cell('–'), count: 0 };
    row.status.dataset.status = plot.status;
    rows.set(plot, row);
  }
  return row;
}

charts.addEventListener('realtime-plot-status-change', (event) => {
  const row = rowOf(event.target as RealtimePlot);
  const { status, error } = event.detail;
  row.status.textContent = error ? `${status}: ${error.message}` : status;
  row.status.dataset.status = status;
});

charts.addEventListener('realtime-plot-data', (event) => {
  const row = rowOf(event.target as RealtimePlot);
  row.count += 1;
  row.messages.textContent = String(row.count);
  row.lastSeq.textContent = String(event.detail.message.seq);
});

const runButton = document.querySelector<HTMLButtonElement>('#run')!;
const runEvents = document.querySelector<HTMLInputElement>('#run-events')!;
const runResult = document.querySelector<HTMLElement>('#run-result')!;

runButton.addEventListener('click', async () => {
  runButton.disabled = true;
  runResult.textContent = 'Publishing…';
  try {
    const response = await fetch(BURST_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: Number(runEvents.value) }),
    });
    const body = (await response.json()) as BurstOutcome | { error: { message: string } };
    runResult.textContent = 'error' in body
      ? `Not published: ${body.error.message}`
      : `Published ${body.sent} events to demo/run${body.failed ? ` (${body.failed} failed)` : ''}.`;
  } catch (error) {
    runResult.textContent = `Not published: ${(error as Error).message}`;
  } finally {
    runButton.disabled = false;
  }
});

document.querySelector<HTMLButtonElement>('#add-late')!.addEventListener('click', () => {
  const plot = document.createElement('realtime-plot');
  plot.hub = document.querySelector('#hub-url')!.textContent!;
  plot.stream = 'demo/temperature';
  plot.heading = `Temperature, added at ${new Date().toLocaleTimeString()}`;
  plot.timeWindow = '2m';
  charts.append(plot);
  rowOf(plot);
});

void customElements.whenDefined('realtime-plot').then(() => {
  for (const plot of document.querySelectorAll('realtime-plot')) rowOf(plot);
});
