/**
 * The widget as an npm package: `npm run build` writes it to `dist/` with its own package.json,
 * then what `npm pack ./dist` would publish. Every entry point its manifest names is in it,
 * nothing of the Function App is, the ES entry loads only chunks beside it (so it works from a
 * CDN URL as it is), the custom elements manifest describes the element, and the package depends
 * on exactly what its declarations import, none of the project's server packages.
 */
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../e2e/support.js';

const run = promisify(execFile);
const DIST = join(ROOT, 'dist');

interface PackageJson {
  name: string;
  private?: boolean;
  main: string;
  module: string;
  types: string;
  customElements: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
}

interface ManifestExport {
  kind: string;
  name: string;
  declaration: { name: string; module?: string };
}

interface ManifestDeclaration {
  tagName?: string;
  customElement?: boolean;
  attributes?: { name: string }[];
}

describe('the widget package (npm run build, npm pack ./dist)', { timeout: 300_000 }, () => {
  let manifest: PackageJson;
  let packed: Set<string>;
  const probe = join(DIST, 'api/probe-of-the-function-app.js');

  before(async () => {
    await run('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
    // What `npm run build:api` leaves in dist/ must stay out of the widget's package.
    await mkdir(join(DIST, 'api'), { recursive: true });
    await writeFile(probe, '');
    try {
      const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', './dist'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
      const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
      packed = new Set(pack.files.map((file) => file.path));
    } finally {
      await rm(probe, { force: true });
    }
    manifest = JSON.parse(await readFile(join(DIST, 'package.json'), 'utf8')) as PackageJson;
  });

  it('holds every file that main, module, types, customElements and exports name', () => {
    const named = [manifest.main, manifest.module, manifest.types, manifest.customElements, ...Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)))];
    for (const path of named.map((target) => target.replace(/^\.\//, ''))) assert.ok(packed.has(path), `${path} is in the package`);
  });

  it('holds the built widget and its declarations only, none of the Function App', () => {
    const widgetFile = /^(package\.json|README\.md|[^/]+\.js(\.map)?|custom-elements\.json|types\/.+\.d\.ts)$/;
    for (const path of packed) assert.match(path, widgetFile);
    assert.ok(![...packed].some((path) => path.startsWith('api')), 'no file of dist/api/');
    assert.equal(manifest.name, 'realtime-plot');
    assert.notEqual(manifest.private, true, 'the package can be published');
  });

  it('has an ES entry that loads only chunks beside it, all of them in the package', async () => {
    const entry = await readFile(join(DIST, 'realtime-plot.js'), 'utf8');
    const specifiers = [...entry.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'`]([^"'`$]+)["'`]/g)].map((match) => match[1]);
    assert.ok(specifiers.length >= 3, `the entry imports its runtime and loads SignalR and Plotly lazily (found ${specifiers.join(', ')})`);
    for (const specifier of specifiers) {
      assert.match(specifier, /^\.\/[^/]+\.js$/, `${specifier} is a chunk beside the entry`);
      assert.ok(packed.has(specifier.slice(2)), `${specifier} is in the package`);
    }
  });

  it('describes <realtime-plot>, its attributes and where it is defined in custom-elements.json, naming only modules it holds', async () => {
    const text = await readFile(join(DIST, 'custom-elements.json'), 'utf8');
    const elements = JSON.parse(text) as { modules: { path: string; declarations?: ManifestDeclaration[]; exports?: ManifestExport[] }[] };
    const element = elements.modules.flatMap((module) => module.declarations ?? []).find((declaration) => declaration.tagName === 'realtime-plot');
    assert.ok(element?.customElement, 'the element is declared');
    const attributes = new Set(element.attributes?.map((attribute) => attribute.name));
    for (const name of ['hub', 'stream']) assert.ok(attributes.has(name), `attribute ${name}`);
    const definition = elements.modules.flatMap((module) => module.exports ?? []).find((exported) => exported.kind === 'custom-element-definition');
    assert.deepEqual(definition && { name: definition.name, declaration: definition.declaration }, { name: 'realtime-plot', declaration: { name: 'RealtimePlot', module: 'realtime-plot.js' } });
    const modules = new Set([...elements.modules.map((module) => module.path), ...[...text.matchAll(/"module":\s*"([^"]+)"/g)].map((match) => match[1])]);
    for (const module of modules) assert.ok(packed.has(module), `${module}, named by the manifest, is in the package`);
    // What the manifest says the entry exports, it exports.
    const entry = await readFile(join(DIST, 'realtime-plot.js'), 'utf8');
    const exported = new Set([...entry.matchAll(/\bexport\s*\{([^}]*)\}/g)].flatMap((match) => match[1].split(',').map((item) => item.trim().split(/\s+as\s+/).at(-1)!)));
    assert.ok(exported.has('RealtimePlot'), `the entry exports ${[...exported].join(', ')}`);
    for (const named of elements.modules.flatMap((module) => module.exports ?? []).filter((item) => item.kind === 'js')) {
      assert.ok(exported.has(named.name), `${named.name}, a JavaScript export in the manifest, is exported by realtime-plot.js`);
    }
  });

  it('depends on what its declarations import and on nothing of the server side', async () => {
    const installed = new Set(Object.keys(manifest.dependencies));
    for (const server of ['@azure/functions', '@azure/data-tables', '@azure/eventgrid', 'ws', 'jose']) assert.ok(!installed.has(server), `${server} is not a dependency`);
    // A dependency's own dependencies come along with it (lit brings lit-html).
    for (const name of [...installed]) {
      const own = JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const transitive of Object.keys(own.dependencies ?? {})) installed.add(transitive);
    }
    const imported = new Set<string>();
    for (const path of [...packed].filter((file) => file.endsWith('.d.ts'))) {
      const text = await readFile(join(DIST, path), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"'./][^"']*)["']/g)) {
        imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
      }
    }
    assert.ok(imported.size > 0, 'the declarations import packages');
    for (const name of imported) {
      const typesPackage = `@types/${name.replace(/^@([^/]+)\//, '$1__')}`;
      assert.ok(installed.has(name) || installed.has(typesPackage), `${name} (or ${typesPackage}) is installed with the package`);
    }
  });
});
