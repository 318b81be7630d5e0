// `cem analyze` (part of `npm run build`): the element's API, read from its JSDoc and Lit
// decorators, as dist/custom-elements.json (the package's `customElements` field).
export default {
  globs: ['widget/realtime-plot.component.ts', 'widget/realtime-plot.events.ts'],
  outdir: 'dist',
  litelement: true,
};
