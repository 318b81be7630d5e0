/**
 * The chart's colours and font, read from the element's CSS custom properties (so pages theme
 * the chart with CSS, and light/dark/auto is plain CSS) and resolved to values Plotly
 * understands: any CSS colour syntax (`color-mix()`, `light-dark()`, names) becomes `rgb()`.
 */

export interface PlotTheme {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  /** Series colours in order; Plotly's own when the property is empty. */
  colorway?: string[];
  fontFamily: string;
  fontSize: number;
}

/**
 * Reads the theme from `host`'s computed style; `probe` is an element inside the host used to
 * resolve colours (its `color` is set and read back).
 */
export function readPlotTheme(host: Element, probe: HTMLElement): PlotTheme {
  const style = getComputedStyle(host);
  const property = (name: string) => style.getPropertyValue(name).trim();
  const color = (value: string, fallback: string) => {
    probe.style.color = fallback;
    probe.style.color = value;
    return getComputedStyle(probe).color || fallback;
  };
  const colorway = property('--realtime-plot-colorway')
    .split(/,(?![^(]*\))/)
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => color(item, '#888'));
  const fontSize = Number.parseFloat(property('--realtime-plot-font-size') || style.fontSize);
  return {
    background: color(property('--realtime-plot-background'), 'white'),
    foreground: color(property('--realtime-plot-foreground'), 'black'),
    muted: color(property('--realtime-plot-muted'), 'gray'),
    grid: color(property('--realtime-plot-grid-color'), 'lightgray'),
    colorway: colorway.length ? colorway : undefined,
    fontFamily: property('--realtime-plot-font-family') || style.fontFamily,
    fontSize: Number.isFinite(fontSize) && fontSize > 0 ? fontSize : 12,
  };
}
