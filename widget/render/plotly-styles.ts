/**
 * Plotly inserts its CSS rules (modebar, hover layers, `.main-svg` stacking) into a `<style>` in
 * `document.head`, which does not reach into a shadow root. One constructed sheet holds a copy
 * of those rules and is adopted by every widget's shadow root; it is refreshed when Plotly has
 * added rules since.
 */

const PLOTLY_STYLE_ID = 'plotly.js-style-global';

const sheet = new CSSStyleSheet();
let copiedRuleCount = -1;

/** Adopts Plotly's rules into `root` (call after Plotly has drawn once on the page). */
export function adoptPlotlyStyles(root: ShadowRoot): void {
  const source = document.getElementById(PLOTLY_STYLE_ID);
  const rules = source instanceof HTMLStyleElement ? source.sheet?.cssRules : undefined;
  if (rules && rules.length !== copiedRuleCount) {
    sheet.replaceSync(Array.from(rules, (rule) => rule.cssText).join('\n'));
    copiedRuleCount = rules.length;
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
