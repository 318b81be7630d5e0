/**
 * The app-loading half of the Azure Functions Node.js worker (azure-functions-nodejs-worker:
 * setupCoreModule, startApp, loadScriptFile, coreApi/registerFunction), for tests. Compiled to
 * CommonJS and run by plain `node` in a child process: `node functions-worker.cjs <appDir> <resultFile>`.
 *
 * Like the worker it serves the built-in `@azure/functions-core` module through
 * `Module.prototype.require`, reads `<appDir>/package.json`, loads `main` (dynamic `import()`
 * for ES modules, `require` otherwise), accepts registrations only while the entry loads, and
 * keeps each binding as the host receives it (`rawBindings`: JSON of `{...binding, name}`).
 * It writes what was registered to `<resultFile>` as JSON (a `WorkerResult`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One registered function as the host would index it. */
export interface IndexedFunction {
  name: string;
  /** Each binding as the host parses it from `rawBindings`. */
  bindings: Array<Record<string, unknown> & { name: string; type: string; direction: string }>;
  handlerIsFunction: boolean;
}

export interface WorkerResult {
  /** What the library passed to `setProgrammingModel` (name and version), if anything. */
  programmingModel?: { name: string; version: string };
  functions: IndexedFunction[];
  /** Registration and load errors, as the worker would log them. */
  errors: string[];
}

interface CoreFunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, Record<string, unknown>>;
}

class Disposable {
  #onDispose: (() => void) | undefined;
  constructor(onDispose: () => void) {
    this.#onDispose = onDispose;
  }
  dispose(): void {
    this.#onDispose?.();
    this.#onDispose = undefined;
  }
}

async function main(appDir: string, resultFile: string): Promise<void> {
  const result: WorkerResult = { functions: [], errors: [] };
  let programmingModel: { name: string; version: string } | undefined;
  let indexingLocked = false;

  const coreApi = {
    version: '3.12.0',
    hostVersion: '4.1040.0',
    registerHook: () => new Disposable(() => {}),
    setProgrammingModel: (model: { name: string; version: string }) => {
      programmingModel = model;
    },
    getProgrammingModel: () => programmingModel,
    log: () => {},
    Disposable,
    registerFunction: (metadata: CoreFunctionMetadata, callback: unknown) => {
      if (indexingLocked) throw new Error('A function can only be registered during app startup.');
      const functionId = metadata.functionId ?? metadata.name;
      if (result.functions.some((indexed) => indexed.name === functionId)) {
        throw new Error(`A function with id "${functionId}" has already been registered.`);
      }
      const rawBindings = Object.entries(metadata.bindings).map(([name, binding]) => JSON.stringify({ ...binding, name }));
      result.functions.push({
        name: metadata.name,
        bindings: rawBindings.map((raw) => JSON.parse(raw) as IndexedFunction['bindings'][number]),
        handlerIsFunction: typeof callback === 'function',
      });
      return new Disposable(() => {
        result.functions = result.functions.filter((indexed) => indexed.name !== functionId);
      });
    },
  };
  const originalRequire = Module.prototype.require;
  Module.prototype.require = new Proxy(originalRequire, {
    apply(target, thisArg, args: [string]) {
      return args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args);
    },
  });

  try {
    const packageJson = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as { main?: unknown; type?: unknown };
    if (typeof packageJson.main !== 'string') throw new Error('package.json has no "main"');
    const entry = join(appDir, packageJson.main);
    const isEsModule = entry.endsWith('.mjs') || (!entry.endsWith('.cjs') && packageJson.type === 'module');
    if (isEsModule) await import(pathToFileURL(entry).href);
    else Module.createRequire(join(appDir, 'package.json'))(entry);
  } catch (error) {
    result.errors.push(`Worker was unable to load entry point: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  }
  // As in the worker, registering is only possible while the entry loads.
  indexingLocked = true;
  result.programmingModel = programmingModel && { name: programmingModel.name, version: programmingModel.version };
  writeFileSync(resultFile, JSON.stringify(result, null, 2));
  // The app may have opened handles (timers, sockets) at load; the worker process would live on.
  process.exit(0);
}

const [appDir, resultFile] = process.argv.slice(2);
if (!appDir || !resultFile) {
  console.error('usage: node functions-worker.cjs <appDir> <resultFile>');
  process.exit(2);
}
main(appDir, resultFile).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
