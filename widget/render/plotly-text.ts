/**
 * Plotly reads a subset of HTML in labels (`<b>`, `<br>`, `<a href>`, ...). Names that come from
 * data (series names) must show as typed, so their markup characters are written as entities,
 * which Plotly turns back into plain characters when it draws the text.
 */
export function escapePlotlyText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
