/**
 * Builds the API package (as `npm run build:api` does) into a fresh temporary folder, outside
 * the project so that nothing can resolve from the project's own node_modules, and indexes it
 * as the Functions host would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiPackage, type ApiPackage, type BuildApiPackageOptions } from '../../api/deploy/build-package.js';
import { indexFunctionApp, type WorkerResult } from './functions-host.js';

export interface BuiltApi {
  apiPackage: ApiPackage;
  indexed: WorkerResult;
  /** Removes the temporary folder. */
  remove(): Promise<void>;
}

export async function buildTemporaryApiPackage(options: Pick<BuildApiPackageOptions, 'entry'> = {}): Promise<ApiPackage & { remove(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), 'realtime-plot-api-'));
  try {
    const apiPackage = await buildApiPackage({ ...options, outDir: join(folder, 'api'), zipPath: join(folder, 'api.zip') });
    return { ...apiPackage, remove: () => rm(folder, { recursive: true, force: true }) };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

export async function buildAndIndexApi(options: Pick<BuildApiPackageOptions, 'entry'> = {}): Promise<BuiltApi> {
  const apiPackage = await buildTemporaryApiPackage(options);
  try {
    return { apiPackage, indexed: await indexFunctionApp(apiPackage.outDir), remove: apiPackage.remove };
  } catch (error) {
    await apiPackage.remove();
    throw error;
  }
}
