import { css } from 'lit';

/**
 * The element's own styles. Every colour is a custom property with a light and a dark default;
 * `theme` picks the colour scheme, and `auto` (the default) follows `prefers-color-scheme`.
 * Plotly's own rules are adopted separately (render/plotly-styles.ts).
 */
export const realtimePlotStyles = css`
  :host {
    /* light-dark(): the first value under a light colour scheme, the second under a dark one. */
    --realtime-plot-background: light-dark(#ffffff, #111827);
    --realtime-plot-foreground: light-dark(#1f2937, #e5e7eb);
    --realtime-plot-muted: light-dark(#6b7280, #9ca3af);
    --realtime-plot-grid-color: light-dark(#e5e7eb, #374151);
    --realtime-plot-border-color: light-dark(#e5e7eb, #374151);
    --realtime-plot-accent: light-dark(#2563eb, #60a5fa);
    --realtime-plot-live-color: light-dark(#15803d, #4ade80);
    --realtime-plot-warning-color: light-dark(#b45309, #fbbf24);
    --realtime-plot-error-color: light-dark(#dc2626, #f87171);
    --realtime-plot-colorway: light-dark(#2563eb, #60a5fa), light-dark(#ea580c, #fb923c), light-dark(#16a34a, #4ade80),
      light-dark(#dc2626, #f87171), light-dark(#9333ea, #c084fc), light-dark(#0891b2, #22d3ee),
      light-dark(#ca8a04, #facc15), light-dark(#db2777, #f472b6);
    --realtime-plot-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --realtime-plot-font-size: 12px;
    --realtime-plot-radius: 8px;

    /* theme="auto" (the default): the page's preference. */
    color-scheme: light dark;
    display: block;
    position: relative;
    box-sizing: border-box;
    height: 320px;
    min-height: 160px;
    color: var(--realtime-plot-foreground);
    font-family: var(--realtime-plot-font-family);
    font-size: var(--realtime-plot-font-size);
  }

  :host([theme='light']) {
    color-scheme: light;
  }

  :host([theme='dark']) {
    color-scheme: dark;
  }

  :host([hidden]) {
    display: none;
  }

  [part='base'] {
    display: flex;
    flex-direction: column;
    height: 100%;
    box-sizing: border-box;
    background: var(--realtime-plot-background);
    border: 1px solid var(--realtime-plot-border-color);
    border-radius: var(--realtime-plot-radius);
    overflow: hidden;
  }

  [part='header'] {
    display: flex;
    align-items: center;
    gap: 0.75em;
    padding: 0.5em 0.75em;
    min-height: 2em;
  }

  [part='heading'] {
    flex: 1 1 auto;
    min-width: 0;
    margin: 0;
    font-size: 1.15em;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part='status'] {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    color: var(--realtime-plot-muted);
    white-space: nowrap;
  }

  [part='status']::before {
    content: '';
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    background: currentColor;
  }

  [part='status'][data-status='live'] {
    color: var(--realtime-plot-live-color);
  }

  [part='status'][data-status='reconnecting'],
  [part='status'][data-status='offline'] {
    color: var(--realtime-plot-warning-color);
  }

  [part='status'][data-status='error'] {
    color: var(--realtime-plot-error-color);
  }

  [part='controls'] {
    display: flex;
    gap: 0.25em;
  }

  button {
    font: inherit;
    color: inherit;
    background: transparent;
    border: 1px solid var(--realtime-plot-border-color);
    border-radius: calc(var(--realtime-plot-radius) / 2);
    padding: 0.2em 0.6em;
    cursor: pointer;
  }

  button:hover {
    border-color: var(--realtime-plot-accent);
  }

  button:focus-visible {
    outline: 2px solid var(--realtime-plot-accent);
    outline-offset: 1px;
  }

  button[data-paused] {
    color: var(--realtime-plot-accent);
    border-color: var(--realtime-plot-accent);
  }

  [part='message'] {
    margin: 0 0.75em 0.25em;
    color: var(--realtime-plot-error-color);
    overflow-wrap: anywhere;
  }

  [part='chart'] {
    position: relative;
    flex: 1 1 auto;
    min-height: 0;
  }

  .plot {
    position: absolute;
    inset: 0;
    /* Redraws stay inside the chart: the rest of the page is not laid out or painted again. */
    contain: strict;
  }

  [part='empty'] {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    justify-content: center;
    padding: 1em;
    text-align: center;
    color: var(--realtime-plot-muted);
    pointer-events: none;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
