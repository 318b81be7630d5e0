// Browser tests: the system Chromium driven through Playwright; nothing downloads a browser.
import { playwrightLauncher } from '@web/test-runner-playwright';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { register } from 'tsx/esm/api';

// The server commands start the real local parts, which are TypeScript.
register();
const { localStackCommands } = await import('./test/widget/support/local-stack-commands.ts');
const { CHROMIUM_ARGS, CHROMIUM_PATH } = await import('./test/widget/support/chromium.ts');

export default {
  files: 'test/widget/**/*.test.ts',
  nodeResolve: true,
  concurrency: 1,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }), localStackCommands()],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS },
    }),
  ],
  testFramework: { config: { timeout: 20000 } },
  browserStartTimeout: 60000,
  testsFinishTimeout: 300000,
};
