/**
 * This process's heap after garbage collection, to tell retained memory from garbage. The
 * servers under test run in this process (all but Azurite), so their memory is counted here.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
// The flag makes `gc` exist in contexts created from now on.
const collectGarbage = runInNewContext('gc') as () => void;

export const MIB = 1024 * 1024;

/** Used heap bytes once collection has settled (a few full collections, with pending timers run between them). */
export async function settledHeapBytes(): Promise<number> {
  for (let round = 0; round < 3; round += 1) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  collectGarbage();
  return process.memoryUsage().heapUsed;
}
