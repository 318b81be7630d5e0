/**
 * Zips a folder's contents (paths relative to the folder, so `host.json` sits at the zip root, as
 * zip deploy wants it). Entries are sorted and carry one fixed time stamp, so the same folder
 * always gives the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

/** Time stamp of every entry: a constant, so rebuilding unchanged sources gives an identical zip. */
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');

/** Files under `folder`, as sorted paths relative to it with `/` separators. */
export async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Writes `zipPath` holding every file under `folder`; returns the entry paths. */
export async function zipFolder(folder: string, zipPath: string): Promise<string[]> {
  const files = await listFiles(folder);
  const zip = new yazl.ZipFile();
  for (const file of files) {
    const fullPath = join(folder, file);
    const { mode } = await stat(fullPath);
    zip.addBuffer(await readFile(fullPath), file, { mtime: ENTRY_TIME, mode });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));
  return files;
}
