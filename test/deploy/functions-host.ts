/**
 * Loads a built Function App the way the Azure Functions Node.js worker does (see
 * functions-worker.ts) in a plain `node` child process, and returns what it registered.
 */
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WorkerResult } from './functions-worker.js';

export type { IndexedFunction, WorkerResult } from './functions-worker.js';

const execFileAsync = promisify(execFile);

/**
 * App settings as Azure would hand them to the worker process: the host's own, and placeholder
 * connection strings in the shapes the real services use (nothing is contacted at load).
 */
export const HOST_ENVIRONMENT: Readonly<Record<string, string>> = {
  FUNCTIONS_WORKER_RUNTIME: 'node',
  AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=example;AccountKey=ZXhhbXBsZQ==;EndpointSuffix=core.windows.net',
  AzureSignalRConnectionString: 'Endpoint=https://example.service.signalr.net;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;',
};

/** Indexes the app in `appDir` (package.json + its `main`) as the worker does at startup. */
export async function indexFunctionApp(appDir: string): Promise<WorkerResult> {
  const workDir = await mkdtemp(join(tmpdir(), 'functions-worker-'));
  try {
    const workerFile = join(workDir, 'functions-worker.cjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'functions-worker.ts')],
      outfile: workerFile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'silent',
    });
    const resultFile = join(workDir, 'result.json');
    // Plain node, no loader hooks, no inherited NODE_OPTIONS: only what the worker itself provides.
    await execFileAsync(process.execPath, [workerFile, appDir, resultFile], {
      cwd: appDir,
      env: { PATH: process.env.PATH ?? '', ...HOST_ENVIRONMENT },
      timeout: 60_000,
    });
    return JSON.parse(await readFile(resultFile, 'utf8')) as WorkerResult;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
