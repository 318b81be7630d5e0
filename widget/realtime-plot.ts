/**
 * The `<realtime-plot>` element: importing this module (or loading the built script) defines
 * it. Loading it twice is harmless. Import `realtime-plot.component.js` for the class alone.
 */
import { defineElement } from './internal/define-element.js';
import { RealtimePlot } from './realtime-plot.component.js';

export * from './realtime-plot.component.js';
export { defineElement };

defineElement('realtime-plot', RealtimePlot);

declare global {
  interface HTMLElementTagNameMap {
    'realtime-plot': RealtimePlot;
  }
}
