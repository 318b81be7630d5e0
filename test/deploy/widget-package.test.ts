/**
 * The widget as an npm package: `npm run build`, then what `npm pack` would publish. Every entry
 * point package.json names is in it, nothing of the Function App is, the ES entry loads only
 * chunks beside it (so it works from a CDN URL as it is), the custom elements manifest describes
 * the element, and every package the published declarations import is one an installer gets.
 */
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../e2e/support.js';

const run = promisify(execFile);

interface PackageJson {
  main: string;
  module: string;
  types: string;
  customElements: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
}

interface ManifestDeclaration {
  tagName?: string;
  customElement?: boolean;
  attributes?: { name: string }[];
}

describe('the widget package (npm run build, npm pack)', { timeout: 300_000 }, () => {
  let manifest: PackageJson;
  let packed: Set<string>;
  const probe = join(ROOT, 'dist/api/probe-of-the-function-app.js');

  before(async () => {
    await run('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
    // What `npm run build:api` leaves in dist/ must stay out of the widget's package.
    await mkdir(join(ROOT, 'dist/api'), { recursive: true });
    await writeFile(probe, '');
    try {
      const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 16 * 2 ** 20 });
      const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
      packed = new Set(pack.files.map((file) => file.path));
    } finally {
      await rm(probe, { force: true });
    }
    manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  });

  it('holds every file that main, module, types, customElements and exports name', () => {
    const named = [manifest.main, manifest.module, manifest.types, manifest.customElements, ...Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)))];
    for (const path of named.map((target) => target.replace(/^\.\//, ''))) assert.ok(packed.has(path), `${path} is in the package`);
  });

  it('holds the built widget and its declarations only, none of the Function App', () => {
    const widgetFile = /^(package\.json|README\.md|LICENSE|dist\/[^/]+\.js(\.map)?|dist\/custom-elements\.json|dist\/types\/.+\.d\.ts)$/;
    for (const path of packed) assert.match(path, widgetFile);
    assert.ok(![...packed].some((path) => path.startsWith('dist/api')), 'no dist/api/ file');
  });

  it('has an ES entry that loads only chunks beside it, all of them in the package', async () => {
    const entry = await readFile(join(ROOT, 'dist/realtime-plot.js'), 'utf8');
    const specifiers = [...entry.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'`]([^"'`$]+)["'`]/g)].map((match) => match[1]);
    assert.ok(specifiers.length >= 3, `the entry imports its runtime and loads SignalR and Plotly lazily (found ${specifiers.join(', ')})`);
    for (const specifier of specifiers) {
      assert.match(specifier, /^\.\/[^/]+\.js$/, `${specifier} is a chunk beside the entry`);
      assert.ok(packed.has(`dist/${specifier.slice(2)}`), `${specifier} is in the package`);
    }
  });

  it('describes <realtime-plot> and its hub and stream attributes in custom-elements.json', async () => {
    const elements = JSON.parse(await readFile(join(ROOT, 'dist/custom-elements.json'), 'utf8')) as { modules: { declarations?: ManifestDeclaration[] }[] };
    const element = elements.modules.flatMap((module) => module.declarations ?? []).find((declaration) => declaration.tagName === 'realtime-plot');
    assert.ok(element?.customElement, 'the element is declared');
    const attributes = new Set(element.attributes?.map((attribute) => attribute.name));
    for (const name of ['hub', 'stream']) assert.ok(attributes.has(name), `attribute ${name}`);
  });

  it('gets an installer every package its declarations import', async () => {
    const installed = new Set(Object.keys(manifest.dependencies));
    // A dependency's own dependencies come along with it (lit brings lit-html).
    for (const name of [...installed]) {
      const own = JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const transitive of Object.keys(own.dependencies ?? {})) installed.add(transitive);
    }
    const imported = new Set<string>();
    for (const path of [...packed].filter((file) => file.endsWith('.d.ts'))) {
      const text = await readFile(join(ROOT, path), 'utf8');
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
