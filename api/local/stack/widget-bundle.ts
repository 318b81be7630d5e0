/**
 * The built widget (`npm run build` -> `dist/`), built on start when `dist/` is missing or older
 * than the widget's sources, so the demo pages always serve the code in the tree. The build
 * runs as a child process (Vite), its output labelled like every other service's.
 */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LogLine } from './labelled-log.js';

/** File names in `dist/`, as the Vite config names them. */
const WIDGET_MODULE_FILE = 'realtime-plot.js';
const WIDGET_CLASSIC_FILE = 'realtime-plot.iife.js';

/** How long to wait for another build of the widget (Vite allows one at a time) before giving up. */
const OTHER_BUILD_TIMEOUT_IN_MS = 120_000;
const OTHER_BUILD_RUNNING = /Found another Vite build process/;

/** What the build reads: a change to any of these makes `dist/` stale. */
const BUILD_INPUTS = ['widget', 'vite.config.ts', 'package.json'];

export interface WidgetBundle {
  /** The `dist/` folder. */
  directory: string;
  /** The ES module entry (it loads Plotly lazily from a chunk beside it). */
  moduleFile: string;
}

export async function ensureWidgetBundle(root: string, log: LogLine): Promise<WidgetBundle> {
  const directory = join(root, 'dist');
  const bundle = { directory, moduleFile: WIDGET_MODULE_FILE };
  const deadline = Date.now() + OTHER_BUILD_TIMEOUT_IN_MS;
  for (;;) {
    const builtAt = await oldestOutput(directory);
    if (builtAt !== undefined && builtAt >= (await newestInput(root))) return bundle;
    log(builtAt === undefined ? 'dist/ has no widget build yet; building it' : 'widget sources changed since the last build; rebuilding dist/');
    const outcome = await runViteBuild(root, log);
    if (outcome === 'built') break;
    // Vite refuses to run beside another build of the project (`npm run build` elsewhere): wait for it, then look again.
    if (Date.now() > deadline) throw new Error('another widget build kept running; try again once it is done');
    log('another build of the widget is running; waiting for it');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  if ((await oldestOutput(directory)) === undefined) {
    throw new Error(`the widget build finished without ${WIDGET_MODULE_FILE} and ${WIDGET_CLASSIC_FILE} in dist/`);
  }
  return bundle;
}

async function oldestOutput(directory: string): Promise<number | undefined> {
  const times = await Promise.all([WIDGET_MODULE_FILE, WIDGET_CLASSIC_FILE].map((file) => modifiedAt(join(directory, file))));
  return times.includes(undefined) ? undefined : Math.min(...(times as number[]));
}

async function newestInput(root: string): Promise<number> {
  let newest = 0;
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => undefined);
    if (!info) return;
    newest = Math.max(newest, info.mtimeMs);
    if (info.isDirectory()) for (const entry of await readdir(path)) await visit(join(path, entry));
  };
  for (const input of BUILD_INPUTS) await visit(join(root, input));
  return newest;
}

async function modifiedAt(path: string): Promise<number | undefined> {
  return (await stat(path).catch(() => undefined))?.mtimeMs;
}

function runViteBuild(root: string, log: LogLine): Promise<'built' | 'another-build-running'> {
  const vitePackage = createRequire(join(root, 'package.json')).resolve('vite/package.json');
  const vite = join(dirname(vitePackage), 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let anotherBuildRunning = false;
  const forward = (chunk: Buffer): void => {
    const text = chunk.toString('utf8').trim();
    if (OTHER_BUILD_RUNNING.test(text)) anotherBuildRunning = true;
    else if (text) log(text);
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  // Ctrl-C during the build reaches the child too (same process group); this covers a plain exit.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      if (code === 0) resolve('built');
      else if (anotherBuildRunning) resolve('another-build-running');
      else reject(new Error(`the widget build (vite build) failed with ${signal ?? `exit code ${code}`}`));
    });
  });
}
