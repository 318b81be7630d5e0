/**
 * Last step of `npm run build`: `dist/package.json`, the manifest of the widget's npm package,
 * which is published from `dist/` (`npm publish ./dist`). The repository's own package.json
 * describes the whole project (API, stand-ins, tests) and its dependencies; a page or an app
 * that installs the widget needs none of them at run time (the build bundles Lit, the SignalR
 * client and Plotly), only the packages its type declarations import.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The packages `dist/types` imports (test/deploy/widget-package.test.ts checks this list against the declarations). */
const DECLARATION_DEPENDENCIES = ['lit', '@microsoft/signalr', '@types/plotly.js'] as const;

const ENTRY = './realtime-plot.js';
const TYPES = './types/widget/realtime-plot.d.ts';

interface ProjectManifest {
  name: string;
  version: string;
  description: string;
  license: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The widget package's manifest, its versions taken from the project's. */
function widgetPackageManifest(project: ProjectManifest): Record<string, unknown> {
  const dependencies = Object.fromEntries(DECLARATION_DEPENDENCIES.map((name) => {
    const version = project.dependencies?.[name] ?? project.devDependencies?.[name];
    if (version === undefined) throw new Error(`package.json does not list ${name}, which the widget's declarations import`);
    return [name, version];
  }));
  return {
    name: project.name,
    version: project.version,
    description: project.description,
    license: project.license,
    type: 'module',
    main: ENTRY,
    module: ENTRY,
    types: TYPES,
    exports: {
      '.': { types: TYPES, import: ENTRY },
      './realtime-plot.js': { types: TYPES, import: ENTRY },
      './realtime-plot.iife.js': './realtime-plot.iife.js',
      './custom-elements.json': './custom-elements.json',
      './package.json': './package.json',
    },
    customElements: 'custom-elements.json',
    // What the build writes beside it: the chunks, the classic script, maps, declarations, the manifest.
    files: ['*.js', '*.js.map', 'custom-elements.json', 'types/'],
    dependencies,
  };
}

async function main(): Promise<void> {
  const root = resolve(import.meta.dirname, '../..');
  const project = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as ProjectManifest;
  await writeFile(join(root, 'dist/package.json'), `${JSON.stringify(widgetPackageManifest(project), null, 2)}\n`);
  await copyFile(join(root, 'README.md'), join(root, 'dist/README.md'));
}

await main();
