/**
 * The widget under load: `<realtime-plot>` elements on one hub of a real local stack, fed
 * through the hub connection's message path (`deliver`, what the SignalR `points` handler calls).
 */
import '../../../widget/realtime-plot.js';
import { existingHubClient } from '../../../widget/connection/hub-client-pool.js';
import type { HubClient } from '../../../widget/connection/hub-client.js';
import type { RealtimePlot } from '../../../widget/realtime-plot.js';
import { chartGrid } from './chart-grid.js';
import { installBenchPage } from './harness.js';

const hub = new URLSearchParams(location.search).get('hub') ?? '';
let client: HubClient;

installBenchPage({
  drawsInsideFrame: true,
  async setup(streams, drawn) {
    const plots = chartGrid(streams.length).map((cell, index) => {
      const plot = document.createElement('realtime-plot');
      plot.hub = hub;
      plot.stream = streams[index];
      plot.style.height = '100%';
      plot.addEventListener('realtime-plot-render', () => drawn(index));
      cell.append(plot);
      return plot;
    });
    await allLive(plots);
    client = existingHubClient(hub)!;
  },
  deliver(_index, message) {
    client.deliver(message);
  },
});

async function allLive(plots: RealtimePlot[]): Promise<void> {
  while (!plots.every((plot) => plot.status === 'live')) {
    const failed = plots.find((plot) => plot.status === 'error');
    if (failed) throw new Error(`${failed.stream}: ${failed.error?.message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
