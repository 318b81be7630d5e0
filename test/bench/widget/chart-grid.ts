/** The page layout both strategies draw into: one large chart, or a grid of smaller ones, all on screen. */
export function chartGrid(count: number): HTMLElement[] {
  const columns = count === 1 ? 1 : 4;
  const grid = document.createElement('div');
  grid.style.cssText = `display:grid;grid-template-columns:repeat(${columns},1fr);gap:8px;width:${count === 1 ? 960 : 1260}px`;
  document.body.append(grid);
  return Array.from({ length: count }, () => {
    const cell = document.createElement('div');
    cell.style.height = count === 1 ? '360px' : '200px';
    grid.append(cell);
    return cell;
  });
}
