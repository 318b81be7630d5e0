/**
 * An esbuild plugin that bundles only what a production install (`npm install --omit=dev`)
 * would contain. The project's own code importing a dev-only package is a build error. A
 * production package reaching for a dev-only one (typically an optional peer such as `debug`
 * trying `supports-color` inside try/catch) is left as a runtime `require`, which fails as it
 * would in a production install, and which that package handles.
 */
import type { Plugin } from 'esbuild';
import { relative } from 'node:path';
import { isDevOnly, owningInstallPath, type Lockfile } from './lockfile.js';

/** Marks the nested resolve call so the plugin does not handle its own lookups. */
const NESTED = Symbol('production-dependencies-plugin');

export function productionDependenciesPlugin(rootDir: string, lock: Lockfile): Plugin {
  return {
    name: 'production-dependencies',
    setup(build) {
      // Bare specifiers only: relative imports stay inside the package or project they start in.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === NESTED) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: NESTED,
        });
        // Anything not a dev-only package resolves as usual (and unresolvable imports fail as usual).
        if (resolved.errors.length || resolved.external) return undefined;
        const installPath = owningInstallPath(relative(rootDir, resolved.path));
        if (!installPath || !isDevOnly(lock, installPath)) return undefined;
        if (!owningInstallPath(relative(rootDir, args.importer))) {
          return {
            errors: [{ text: `"${args.path}" is a dev-only package (${installPath}); the deployed API may only use "dependencies"` }],
          };
        }
        return { path: args.path, external: true };
      });
    },
  };
}
