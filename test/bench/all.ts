/**
 * `npm run bench [-- --only widget,signalr,e2e,store]`: runs the benchmarks one after another, each
 * as its own npm script in a child process (so each has the machine to itself), then gathers
 * every `bench-results/*.json` into `bench-results/summary.json` and a markdown rendering,
 * `bench-results/summary.md`, with the command and date that produced each result.
 * Exit code 1 when any benchmark failed (the others still run and are summarised).
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../e2e/support.js';
import { renderResult } from './result-markdown.js';

const BENCHMARKS = [
  { name: 'widget', script: 'bench:widget' },
  { name: 'signalr', script: 'bench:signalr' },
  { name: 'e2e', script: 'bench:e2e' },
  { name: 'store', script: 'bench:store' },
] as const;
const RESULTS = join(ROOT, 'bench-results');
const SUMMARY_FILES = new Set(['summary.json']);

interface Run {
  script: string;
  exitCode: number | null;
  durationInMs: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const names = values.only?.split(',') ?? BENCHMARKS.map((benchmark) => benchmark.name);
  const unknown = names.filter((name) => !BENCHMARKS.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.map((b) => b.name).join(', ')}`);

  const startedAt = Date.now();
  const runs: Run[] = [];
  for (const { script } of BENCHMARKS.filter((benchmark) => names.includes(benchmark.name))) {
    console.log(`\n=== npm run ${script}`);
    runs.push(await runScript(script));
  }

  await mkdir(RESULTS, { recursive: true });
  const files = (await readdir(RESULTS)).filter((file) => file.endsWith('.json') && !SUMMARY_FILES.has(file)).sort();
  const results = await Promise.all(files.map(async (file) => {
    const path = join(RESULTS, file);
    return {
      file: `bench-results/${file}`,
      updatedThisRun: (await stat(path)).mtimeMs >= startedAt,
      result: JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>,
    };
  }));
  const summary = {
    command: `npm run bench${values.only ? ` -- --only ${values.only}` : ''}`,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
    runs,
    results,
  };
  await writeFile(join(RESULTS, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const markdown = [
    '# Benchmark results',
    '',
    `Gathered by \`${summary.command}\` on ${summary.date} (${summary.machine.cpus} × ${summary.machine.cpuModel}, Node ${summary.machine.node}).`,
    '',
    ...runs.map((run) => `- \`npm run ${run.script}\`: ${run.exitCode === 0 ? 'finished' : `failed (exit code ${run.exitCode})`} in ${Math.round(run.durationInMs / 1000)} s`),
    ...results.map(({ file, updatedThisRun, result }) => `\n## ${file}${updatedThisRun ? '' : ' (from an earlier run)'}\n\n${renderResult(result)}`),
  ].join('\n');
  await writeFile(join(RESULTS, 'summary.md'), `${markdown}\n`);
  console.log(`\nsummary: bench-results/summary.json, bench-results/summary.md`);
  return runs.every((run) => run.exitCode === 0) ? 0 : 1;
}

function runScript(script: string): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', script], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ script, exitCode: code, durationInMs: Date.now() - started }));
  });
}

process.exitCode = await main();
