/** `npm run signalr` (api/local/signalr/main.ts): prints the connection string, serves, and stops on SIGTERM. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { it } from 'node:test';

it('prints an Azure-format connection string with the key from SIGNALR_ACCESS_KEY, serves on its port, and stops on SIGTERM', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/local/signalr/main.ts', '--port', '0', '--quiet'], {
    env: { ...process.env, SIGNALR_ACCESS_KEY: 'a-test-key-0123456789' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  const [firstLine] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const match = /^Endpoint=http:\/\/127\.0\.0\.1;Port=(\d+);AccessKey=a-test-key-0123456789;Version=1\.0;$/.exec(firstLine);
  assert.ok(match, `unexpected first line: ${firstLine}`);

  const health = await fetch(`http://127.0.0.1:${match[1]}/api/health?api-version=2022-06-01`, { method: 'HEAD' });
  assert.equal(health.status, 200);

  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});
