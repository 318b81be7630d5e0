/**
 * `npm run build:api`: builds what the Azure Functions host runs, as a folder (`dist/api/`) and a
 * zip for zip deploy (`dist/api.zip`):
 *
 * - `index.js`: `api/index.ts` (the function registrations) and all the code it imports, bundled
 *   by esbuild into one ES module for Node 20. One file loads fast on a cold start and cannot
 *   miss a transitive file. `@azure/functions` stays external: the Node worker hands the
 *   library its `@azure/functions-core` module through `require`, so the library must be the
 *   installed package, loaded by Node itself.
 * - `node_modules/`: the production dependency tree of `@azure/functions`, copied as installed
 *   from the project's lockfile (exact versions the tests ran against, no registry access).
 * - `package.json` (`"type": "module"`, `"main": "index.js"`) and `host.json`.
 */
import { build } from 'esbuild';
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dependencyClosure, readLockfile, type Lockfile } from './lockfile.js';
import { productionDependenciesPlugin } from './production-dependencies-plugin.js';
import { zipFolder } from './zip-folder.js';

/** Packages the bundle leaves to `node_modules` (see the file comment for why). */
export const EXTERNAL_PACKAGES = ['@azure/functions'] as const;

/** The built entry's file name, which the package's `main` names. */
const ENTRY_FILE = 'index.js';

export interface BuildApiPackageOptions {
  /** Project root (package.json, package-lock.json, node_modules, api/). Default: this repository. */
  rootDir?: string;
  /** Package folder; emptied first. Default `<rootDir>/dist/api`. */
  outDir?: string;
  /** Zip file. Default `<rootDir>/dist/api.zip`. */
  zipPath?: string;
  /** The registrations entry, relative to `rootDir`. Default `api/index.ts`. */
  entry?: string;
}

export interface ApiPackage {
  outDir: string;
  zipPath: string;
  /** Absolute path of the built entry (`<outDir>/index.js`). */
  entryPath: string;
  /** Files in the package (= zip entries), relative to `outDir`. */
  files: string[];
  /** Size of the bundled `index.js` in bytes. */
  entryBytes: number;
}

const DEFAULT_ENTRY = 'api/index.ts';

const defaultRootDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Project source paths that must never reach the deployed package. */
const LOCAL_ONLY_SOURCES = 'api/local/';

/**
 * esbuild's ES-module output turns `require()` calls of bundled CommonJS code into a helper
 * that needs a `require` in scope; this gives it Node's own, relative to the bundle.
 */
const REQUIRE_SHIM = "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

export async function buildApiPackage(options: BuildApiPackageOptions = {}): Promise<ApiPackage> {
  const rootDir = resolve(options.rootDir ?? defaultRootDir);
  const outDir = resolve(options.outDir ?? join(rootDir, 'dist', 'api'));
  const zipPath = resolve(options.zipPath ?? join(rootDir, 'dist', 'api.zip'));
  if (rootDir === outDir || rootDir.startsWith(outDir + sep)) {
    throw new Error(`outDir ${outDir} contains the project; choose a folder that does not`);
  }
  const lock = await readLockfile(rootDir);
  const rootPackage = JSON.parse(await readFile(join(rootDir, 'package.json'), 'utf8')) as { name: string; version: string };

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const entryPath = join(outDir, ENTRY_FILE);
  const entryBytes = await bundleEntry(rootDir, options.entry ?? DEFAULT_ENTRY, entryPath, lock);
  const installPaths = dependencyClosure(lock, EXTERNAL_PACKAGES);
  for (const installPath of installPaths) {
    // Each install path is copied on its own; nested node_modules come in as their own paths.
    await cp(join(rootDir, installPath), join(outDir, installPath), {
      recursive: true,
      filter: (source) => !relative(join(rootDir, installPath), source).split(sep).includes('node_modules'),
    });
  }
  const versions = Object.fromEntries(EXTERNAL_PACKAGES.map((name) => [name, lock.packages[`node_modules/${name}`]!.version!]));
  const packageJson = {
    name: `${rootPackage.name}-api`,
    version: rootPackage.version,
    private: true,
    description: 'The realtime-plot Azure Functions app, built by npm run build:api.',
    type: 'module',
    main: ENTRY_FILE,
    engines: { node: '>=20' },
    dependencies: versions,
  };
  await writeFile(join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  await cp(join(rootDir, 'api', 'host.json'), join(outDir, 'host.json'));

  await mkdir(dirname(zipPath), { recursive: true });
  const files = await zipFolder(outDir, zipPath);
  return { outDir, zipPath, entryPath, files, entryBytes };
}

/** Bundles `entry` into `outFile` from production packages only, refusing local stand-ins. */
async function bundleEntry(rootDir: string, entry: string, outFile: string, lock: Lockfile): Promise<number> {
  const result = await build({
    absWorkingDir: rootDir,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: [...EXTERNAL_PACKAGES],
    tsconfig: join(rootDir, 'tsconfig.json'),
    banner: { js: REQUIRE_SHIM },
    plugins: [productionDependenciesPlugin(rootDir, lock)],
    // Not minified: stack traces in Application Insights stay readable without source maps.
    minify: false,
    legalComments: 'inline',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const localSources = inputs.filter((input) => input.startsWith(LOCAL_ONLY_SOURCES));
  if (localSources.length) {
    throw new Error(`${entry} reaches local-only code that must not be deployed: ${localSources.join(', ')}`);
  }
  return (await stat(outFile)).size;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const built = await buildApiPackage();
    const zip = relative(defaultRootDir, built.zipPath);
    console.log(`${relative(defaultRootDir, built.outDir)}/: ${built.files.length} files, ${ENTRY_FILE} ${built.entryBytes} bytes`);
    console.log(`${zip}: ready for az functionapp deployment source config-zip --src ${zip}`);
  } catch (error) {
    console.error(`build:api failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
