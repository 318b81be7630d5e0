/**
 * Reads the project's `package-lock.json` (lockfile v2/v3 `packages` map) to answer the two
 * questions the API package build has: which installed folders make up a package's production
 * dependency tree, and whether a bundled file comes from a dev-only package.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One entry of the lockfile's `packages` map (only the fields used here). */
interface LockedPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The installed tree as the lockfile records it: install path (`node_modules/a/node_modules/b`) -> entry. */
export interface Lockfile {
  packages: Record<string, LockedPackage>;
}

/** Reads `<rootDir>/package-lock.json`; only lockfile versions with a `packages` map are accepted. */
export async function readLockfile(rootDir: string): Promise<Lockfile> {
  const path = join(rootDir, 'package-lock.json');
  const parsed = JSON.parse(await readFile(path, 'utf8')) as { lockfileVersion?: number; packages?: Lockfile['packages'] };
  if (!parsed.packages || (parsed.lockfileVersion ?? 0) < 2) {
    throw new Error(`${path}: lockfile version 2 or 3 (with a "packages" map) is required; run npm install with npm 7 or later`);
  }
  return { packages: parsed.packages };
}

/**
 * Where Node would find `name` when required from the package installed at `fromPath`
 * (`''` is the project root): the nearest `node_modules/<name>` walking up the install tree.
 */
function resolveInstallPath(lock: Lockfile, fromPath: string, name: string): string | undefined {
  let base = fromPath;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/**
 * Install paths of `names` (resolved from the project root) and everything they depend on,
 * sorted. A missing required dependency is an error (the tree is not installed as locked);
 * a missing optional one is skipped, as npm does on platforms it does not apply to.
 */
export function dependencyClosure(lock: Lockfile, names: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (fromPath: string, name: string, optional: boolean): void => {
    const path = resolveInstallPath(lock, fromPath, name);
    if (!path) {
      if (optional) return;
      throw new Error(`"${name}" (needed by ${fromPath || 'the project'}) is not in package-lock.json; run npm install`);
    }
    if (found.has(path)) return;
    found.add(path);
    const entry = lock.packages[path]!;
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(path, dependency, false);
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) visit(path, dependency, true);
  };
  for (const name of names) visit('', name, false);
  return [...found].sort();
}

/**
 * The install path of the package a file belongs to, e.g.
 * `node_modules/@azure/core-rest-pipeline/dist/esm/index.js` -> `node_modules/@azure/core-rest-pipeline`;
 * undefined for a file of the project itself.
 */
export function owningInstallPath(filePath: string): string | undefined {
  const path = filePath.replaceAll('\\', '/');
  const first = path.indexOf('node_modules/');
  if (first === -1) return undefined;
  // Nested installs stay whole: the path runs to the package named after the last `node_modules/`.
  const nameStart = path.lastIndexOf('node_modules/') + 'node_modules/'.length;
  const segments = path.slice(nameStart).split('/');
  const name = segments[0]!.startsWith('@') ? segments.slice(0, 2).join('/') : segments[0]!;
  return path.slice(first, nameStart + name.length);
}

/** True when the lockfile installs the package at `installPath` for development only. */
export function isDevOnly(lock: Lockfile, installPath: string): boolean {
  return lock.packages[installPath]?.dev === true;
}
