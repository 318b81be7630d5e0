import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentAppSettings, parseAppSettings, runWithAppSettings } from '../../api/settings.js';

describe('app settings', () => {
  it('has safe defaults: no public streams, no caller tokens, rate limits on', () => {
    const settings = parseAppSettings({});
    assert.equal(settings.hub, 'realtimeplot');
    assert.equal(settings.recentPointsTable, 'recentpoints');
    assert.equal(settings.recentPointsPerStream, 2000);
    assert.equal(settings.publicStreams.matches('anything'), false);
    assert.equal(settings.callerJwt, undefined);
    assert.equal(settings.accessTokenLifetimeInSeconds, 3600);
    assert.equal(settings.sessionGraceInSeconds, 24 * 3600);
    assert.deepEqual(settings.rateLimits, { negotiatePerMinute: 60, subscribePerMinute: 600, historyPerMinute: 600, trustedProxyHops: 0 });
    assert.deepEqual(settings.corsAllowedOrigins, []);
  });

  it('takes the recent-points storage from RECENT_POINTS_STORAGE, else AzureWebJobsStorage', () => {
    assert.equal(parseAppSettings({ AzureWebJobsStorage: 'host' }).storageConnectionString, 'host');
    const own = parseAppSettings({ AzureWebJobsStorage: 'host', RECENT_POINTS_STORAGE: 'own' });
    assert.equal(own.storageConnectionString, 'own');
    assert.equal(own.storageSettingName, 'RECENT_POINTS_STORAGE');
  });

  for (const [env, message] of [
    [{ RECENT_POINTS_PER_STREAM: 'lots' }, /RECENT_POINTS_PER_STREAM must be a whole number from 1 to 100000/],
    [{ SIGNALR_HUB: 'my-hub' }, /SIGNALR_HUB must start with a letter/],
    [{ PUBLIC_STREAMS: 'ok,<b>' }, /PUBLIC_STREAMS is not a list of stream patterns/],
    [{ CALLER_JWT_SECRET: 'short', CALLER_JWT_ISSUER: 'i', CALLER_JWT_AUDIENCE: 'a' }, /CALLER_JWT_SECRET must be at least 32 bytes/],
    [{ CALLER_JWT_SECRET: 'x'.repeat(32) }, /CALLER_JWT_ISSUER is required/],
    [{ CALLER_JWT_SECRET: 'x'.repeat(32), CALLER_JWT_ISSUER: 'i' }, /CALLER_JWT_AUDIENCE is required/],
    [{ CALLER_JWT_SECRET: 'x'.repeat(32), CALLER_JWT_JWKS_URL: 'https://id/keys', CALLER_JWT_ISSUER: 'i', CALLER_JWT_AUDIENCE: 'a' }, /both set/],
    [{ CALLER_JWT_JWKS_URL: 'not a url', CALLER_JWT_ISSUER: 'i', CALLER_JWT_AUDIENCE: 'a' }, /CALLER_JWT_JWKS_URL is not a URL/],
    [{ CALLER_JWT_JWKS_URL: 'http://id.example.com/keys', CALLER_JWT_ISSUER: 'i', CALLER_JWT_AUDIENCE: 'a' }, /CALLER_JWT_JWKS_URL must be an https: URL/],
    [{ CALLER_JWT_JWKS_URL: 'ftp://127.0.0.1/keys', CALLER_JWT_ISSUER: 'i', CALLER_JWT_AUDIENCE: 'a' }, /CALLER_JWT_JWKS_URL must be an https: URL/],
  ] as const) {
    it(`names the setting in error: ${Object.keys(env).join(', ')} (${message.source})`, () => {
      assert.throws(() => parseAppSettings(env), { name: 'SettingsError', message });
    });
  }

  it('takes a plain-http key set only from this machine', () => {
    for (const url of ['http://127.0.0.1:8080/keys', 'http://localhost/keys', 'https://id.example.com/keys']) {
      const settings = parseAppSettings({ CALLER_JWT_JWKS_URL: url, CALLER_JWT_ISSUER: 'i', CALLER_JWT_AUDIENCE: 'a' });
      assert.ok(settings.callerJwt, url);
    }
  });

  it('never echoes a secret in an error', () => {
    assert.throws(() => parseAppSettings({ CALLER_JWT_SECRET: 'secret-value' }), (error: Error) => !error.message.includes('secret-value'));
  });

  it('reads the scope of runWithAppSettings, else process.env', async () => {
    const inScope = await runWithAppSettings({ SIGNALR_HUB: 'scoped' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentAppSettings().hub;
    });
    assert.equal(inScope, 'scoped');
    const before = process.env.SIGNALR_HUB;
    process.env.SIGNALR_HUB = 'fromEnv';
    try {
      assert.equal(currentAppSettings().hub, 'fromEnv');
    } finally {
      if (before === undefined) delete process.env.SIGNALR_HUB;
      else process.env.SIGNALR_HUB = before;
    }
  });
});
