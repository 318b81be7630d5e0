// `cem analyze` (part of `npm run build`): the element's API, read from its JSDoc and Lit
// decorators, as dist/custom-elements.json (the package's `customElements` field).

/** The package ships one bundled entry; every declaration of the sources is reached through it. */
const PACKAGE_MODULE = 'realtime-plot.js';

/**
 * Points the manifest at what the package holds: one module, `realtime-plot.js`, that exports
 * the element's class and defines `<realtime-plot>` (the sources register it through a helper
 * the analyzer cannot follow). The event names and detail types are TypeScript exports only,
 * described with the element (`events`), not JavaScript exports of the bundle.
 */
const bundledModulePlugin = {
  name: 'realtime-plot-bundled-module',
  packageLinkPhase({ customElementsManifest }) {
    const element = customElementsManifest.modules
      .flatMap((module) => module.declarations ?? [])
      .find((declaration) => declaration.customElement && declaration.tagName === 'realtime-plot');
    if (!element) throw new Error('the analyzer found no <realtime-plot> element');
    const declarations = [element];
    const pointAtPackage = (value) => {
      if (Array.isArray(value)) value.forEach(pointAtPackage);
      else if (value && typeof value === 'object') {
        // References to the sources (`widget/...`, `./...`), not to other packages, become the bundle.
        if (typeof value.module === 'string' && /^(widget\/|\.\/)/.test(value.module)) value.module = PACKAGE_MODULE;
        Object.values(value).forEach(pointAtPackage);
      }
    };
    pointAtPackage(declarations);
    customElementsManifest.modules = [{
      kind: 'javascript-module',
      path: PACKAGE_MODULE,
      declarations,
      exports: [
        { kind: 'js', name: element.name, declaration: { name: element.name, module: PACKAGE_MODULE } },
        { kind: 'custom-element-definition', name: element.tagName, declaration: { name: element.name, module: PACKAGE_MODULE } },
      ],
    }];
  },
};

export default {
  globs: ['widget/realtime-plot.component.ts', 'widget/realtime-plot.events.ts'],
  outdir: 'dist',
  litelement: true,
  plugins: [bundledModulePlugin],
};
