/**
 * Min/max decimation for line charts: with more points than the plot has pixel columns, each
 * column keeps only its lowest and highest point (in x order), which draws the same picture
 * with a bounded number of points. Plotly's SVG lines have no decimation of their own.
 */

export interface Columns {
  x: number[];
  y: number[];
}

/** `columns` reduced to at most about 2 * `buckets` + 2 points; unchanged when already small. */
export function decimateMinMax(columns: Columns, buckets: number): Columns {
  const { x, y } = columns;
  const count = x.length;
  if (buckets < 1 || count <= 2 * buckets + 2) return columns;
  const first = x[0];
  const width = (x[count - 1] - first) / buckets;
  if (!(width > 0)) return columns;
  const outX: number[] = [x[0]];
  const outY: number[] = [y[0]];
  let i = 1;
  while (i < count - 1) {
    const bucket = Math.floor((x[i] - first) / width);
    let min = i;
    let max = i;
    let j = i + 1;
    for (; j < count - 1 && Math.floor((x[j] - first) / width) === bucket; j += 1) {
      if (y[j] < y[min]) min = j;
      if (y[j] > y[max]) max = j;
    }
    const [a, b] = min < max ? [min, max] : [max, min];
    outX.push(x[a]);
    outY.push(y[a]);
    if (b !== a) {
      outX.push(x[b]);
      outY.push(y[b]);
    }
    i = j;
  }
  outX.push(x[count - 1]);
  outY.push(y[count - 1]);
  return { x: outX, y: outY };
}
