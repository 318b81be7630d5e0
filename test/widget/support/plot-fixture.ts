/** Helpers for tests of `<realtime-plot>`: create elements, wait for conditions, read what is drawn. */
import { sendMouse } from '@web/test-runner-commands';
import '../../../widget/realtime-plot.js';
import type { RealtimePlot } from '../../../widget/realtime-plot.js';
import { existingHubClient } from '../../../widget/connection/hub-client-pool.js';

/** A fixed time for test points (x on a time axis). */
export const T0 = Date.UTC(2026, 0, 1, 12);

const created: HTMLElement[] = [];

/** A `<realtime-plot>` with the given attributes, attached to the page (removed by {@link removePlots}). */
export function createPlot(attributes: Record<string, string>, parent: HTMLElement = document.body): RealtimePlot {
  const plot = document.createElement('realtime-plot');
  for (const [name, value] of Object.entries(attributes)) plot.setAttribute(name, value);
  plot.style.width = '640px';
  plot.style.height = '320px';
  parent.append(plot);
  created.push(plot);
  return plot;
}

export function removePlots(): void {
  for (const element of created.splice(0)) element.remove();
}

/** Polls `condition` until it holds; fails with `what` after `timeoutInMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutInMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutInMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function nextEvent<K extends keyof HTMLElementEventMap>(target: HTMLElement, name: K): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve) => target.addEventListener(name, resolve, { once: true }));
}

/** The y values Plotly was last given, per trace name (as Plotly shows it). */
export function drawnSeries(plot: RealtimePlot): Map<string, { x: number[]; y: number[] }> {
  const graph = plot.shadowRoot?.querySelector('.plot') as (HTMLElement & { data?: { name: string; x: number[]; y: number[] }[] }) | null;
  return new Map((graph?.data ?? []).map((trace) => [trace.name, { x: trace.x, y: trace.y }]));
}

/** The user id of the page's connection to `hub` (from the access token the widget negotiated). */
export async function userIdOf(hub: string): Promise<string> {
  const client = existingHubClient(hub);
  if (!client) throw new Error(`no connection to ${hub}`);
  const { accessToken } = await client.session.fresh();
  const claims = JSON.parse(atob(accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, string>;
  return claims['asrs.s.uid'] ?? claims.nameid;
}

/**
 * What the browser reports when the network goes away or comes back: `navigator.onLine` and the
 * `offline`/`online` event. (Taking the real network away would also cut the test runner off.)
 */
export function reportNetwork(online: boolean): void {
  if (online) delete (navigator as { onLine?: boolean }).onLine;
  else Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
  window.dispatchEvent(new Event(online ? 'online' : 'offline'));
}

/** Drags a zoom box with the mouse across the plot area, from `from` to `to` (fractions of its width). */
export async function dragZoom(plot: RealtimePlot, from: number, to: number): Promise<void> {
  const area = plot.shadowRoot!.querySelector('.nsewdrag')!.getBoundingClientRect();
  const x = (fraction: number) => Math.round(area.left + area.width * fraction);
  const y = Math.round(area.top + area.height / 2);
  await sendMouse({ type: 'move', position: [x(from), y] });
  await sendMouse({ type: 'down' });
  await sendMouse({ type: 'move', position: [x((from + to) / 2), y + 3] });
  await sendMouse({ type: 'move', position: [x(to), y + 6] });
  await sendMouse({ type: 'up' });
}
