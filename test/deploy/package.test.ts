// The deployable Function App package (`npm run build:api`): what the Azure Functions host
// loads from it, what it contains, and the zip that zip deploy receives.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EXTERNAL_PACKAGES } from '../../api/deploy/build-package.js';
import { dependencyClosure, readLockfile } from '../../api/deploy/lockfile.js';
import { listFiles } from '../../api/deploy/zip-folder.js';
import { buildAndIndexApi, buildTemporaryApiPackage, type BuiltApi } from './built-api.js';
import type { IndexedFunction } from './functions-host.js';
import { readZipEntries } from './zip-entries.js';

const rootDir = join(import.meta.dirname, '../..');

/** The API's functions as README's "HTTP API" fixes them. */
const EXPECTED_FUNCTIONS = [
  { name: 'history', trigger: 'httpTrigger', route: 'streams/{stream}/history', methods: ['GET'] },
  { name: 'ingest', trigger: 'eventGridTrigger' },
  { name: 'negotiate', trigger: 'httpTrigger', route: 'negotiate', methods: ['POST'] },
  { name: 'subscribe', trigger: 'httpTrigger', route: 'subscribe', methods: ['POST'] },
  { name: 'unsubscribe', trigger: 'httpTrigger', route: 'unsubscribe', methods: ['POST'] },
];

/** A function as the host exposes it: trigger type, and for HTTP the route (default: the name), methods, auth level. */
function hostView(indexed: IndexedFunction): Record<string, unknown> {
  const trigger = indexed.bindings.find((binding) => binding.direction === 'in' && binding.type.endsWith('Trigger'));
  assert.ok(trigger, `${indexed.name} has a trigger binding`);
  if (trigger.type !== 'httpTrigger') return { name: indexed.name, trigger: trigger.type };
  assert.equal(trigger.authLevel, 'anonymous', `${indexed.name} is anonymous`);
  assert.ok(
    indexed.bindings.some((binding) => binding.direction === 'out' && binding.type === 'http'),
    `${indexed.name} has an HTTP response binding`,
  );
  return {
    name: indexed.name,
    trigger: trigger.type,
    route: (trigger.route as string | undefined) ?? indexed.name,
    methods: (trigger.methods as string[]).map((method) => method.toUpperCase()).sort(),
  };
}

let built: BuiltApi;
before(async () => {
  built = await buildAndIndexApi();
});
after(async () => {
  await built?.remove();
});

test('the host loads the built entry and indexes negotiate, subscribe, unsubscribe, history (HTTP) and ingest (Event Grid)', () => {
  assert.deepEqual(built.indexed.errors, []);
  for (const indexed of built.indexed.functions) assert.ok(indexed.handlerIsFunction, `${indexed.name} has a handler`);
  const functions = built.indexed.functions.map(hostView).sort((a, b) => String(a.name).localeCompare(String(b.name)));
  assert.deepEqual(functions, EXPECTED_FUNCTIONS);
});

test('the registrations come from the installed @azure/functions, which found the host', async () => {
  const installed = JSON.parse(
    await readFile(join(built.apiPackage.outDir, 'node_modules/@azure/functions/package.json'), 'utf8'),
  ) as { version: string };
  assert.deepEqual(built.indexed.programmingModel, { name: '@azure/functions', version: installed.version });
  const bundle = await readFile(built.apiPackage.entryPath, 'utf8');
  assert.doesNotMatch(bundle, /Switching "@azure\/functions" package to test mode/, 'the library is not bundled');
});

test('the package is host.json with the extension bundle, a package.json naming the entry, and production dependencies only', async () => {
  const { outDir } = built.apiPackage;
  const host = JSON.parse(await readFile(join(outDir, 'host.json'), 'utf8')) as Record<string, any>;
  assert.equal(host.version, '2.0');
  assert.deepEqual(host.extensionBundle, { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' });
  assert.equal(host.extensions?.http?.routePrefix, 'api', 'routes sit under /api, where the widget expects its hub');

  const packageJson = JSON.parse(await readFile(join(outDir, 'package.json'), 'utf8')) as Record<string, any>;
  assert.equal(packageJson.main, 'index.js');
  assert.equal(packageJson.type, 'module');
  assert.equal(packageJson.devDependencies, undefined);
  assert.deepEqual(Object.keys(packageJson.dependencies), [...EXTERNAL_PACKAGES]);

  const lock = await readLockfile(rootDir);
  const installed = new Set((await listFiles(outDir)).filter((file) => file.endsWith('/package.json') && file.startsWith('node_modules/'))
    .map((file) => file.slice(0, -'/package.json'.length))
    .filter((path) => lock.packages[path]));
  assert.deepEqual([...installed].sort(), dependencyClosure(lock, EXTERNAL_PACKAGES));
  for (const path of installed) {
    assert.notEqual(lock.packages[path]!.dev, true, `${path} is not a dev dependency`);
    const copied = JSON.parse(await readFile(join(outDir, path, 'package.json'), 'utf8')) as { version: string };
    assert.equal(copied.version, lock.packages[path]!.version, `${path} is the locked version`);
  }
});

test('the zip holds exactly the package files, byte for byte, with host.json at its root', async () => {
  const entries = await readZipEntries(built.apiPackage.zipPath);
  assert.deepEqual([...entries.keys()].sort(), built.apiPackage.files);
  assert.ok(entries.has('host.json') && entries.has('package.json') && entries.has('index.js'));
  for (const [name, content] of entries) {
    assert.ok(content.equals(await readFile(join(built.apiPackage.outDir, name))), `${name} matches the folder`);
  }
});

test('building the same sources again gives the same zip', async () => {
  const again = await buildTemporaryApiPackage();
  try {
    const digest = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');
    assert.equal(await digest(again.zipPath), await digest(built.apiPackage.zipPath));
  } finally {
    await again.remove();
  }
});

test('the build refuses an entry that imports a dev-only package or the local stand-ins', async () => {
  await assert.rejects(
    buildTemporaryApiPackage({ entry: 'test/deploy/fixtures/dev-package-entry.ts' }),
    /"fast-check" is a dev-only package/,
  );
  await assert.rejects(
    buildTemporaryApiPackage({ entry: 'test/deploy/fixtures/local-stand-in-entry.ts' }),
    /reaches local-only code that must not be deployed: api\/local\/azurite\.ts/,
  );
});
