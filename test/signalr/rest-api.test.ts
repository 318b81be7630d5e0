/**
 * The data-plane REST API in both versions: the status codes of Azure's 2022-06-01 swagger,
 * 401 without a valid token, and clear `ErrorDetail` bodies for bad requests.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_VERSIONS, eventually, RawJsonClient, RestApi, restToken, startService } from './support.js';

const HUB = 'api';
const service = await startService({ maxFrameBytes: 16 * 1024 });

/** Waits for an invocation of `message` with this first argument on a raw client. */
function invocation(client: RawJsonClient, first: unknown) {
  return client.next(
    (frame) => frame.type === 1 && JSON.stringify((frame.arguments as unknown[])[0]) === JSON.stringify(first),
    `message ${JSON.stringify(first)}`,
  );
}

describe('authentication', () => {
  for (const version of API_VERSIONS) {
    const rest = new RestApi(service, version);
    const url = rest.url(HUB, version === 'v1' ? '' : '/:send');
    const body = JSON.stringify({ target: 'message', arguments: [] });
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });

    it(`${version}: 401 without a token, with a badly signed one and with an expired one`, async () => {
      const noToken = await post({});
      assert.equal(noToken.status, 401);
      assert.equal(noToken.headers.get('x-ms-error-code'), 'Unauthorized');
      assert.equal(
        (await post({ Authorization: `Bearer ${await restToken(service, url, { accessKey: 'wrong-key-0123456789' })}` })).status,
        401,
      );
      const expired = await post({ Authorization: `Bearer ${await restToken(service, url, { expiresInSeconds: -120 })}` });
      assert.equal(expired.status, 401);
      assert.deepEqual(await expired.json(), { code: 'Unauthorized', message: 'The access token has expired.' });
      assert.equal((await post({ Authorization: 'Basic abc' })).status, 401);
    });

    it(`${version}: 202 with a valid token`, async () => {
      assert.equal((await post({ Authorization: `Bearer ${await restToken(service, url)}` })).status, 202);
    });
  }

  it('HEAD /api/health answers 200 without a token', async () => {
    assert.equal((await fetch(`${service.endpoint}/api/health?api-version=2022-06-01`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${service.endpoint}/api/v1/health`)).status, 200);
  });
});

describe('status codes', () => {
  for (const version of API_VERSIONS) {
    const rest = new RestApi(service, version);

    it(`${version}: connection operations`, async () => {
      const client = await RawJsonClient.connect(service, { hub: HUB, userId: `conn-ops-${version}` });
      const id = client.connectionId;
      assert.equal((await rest.exists(HUB, `/connections/${id}`)).status, 200);
      assert.equal((await rest.exists(HUB, '/connections/unknown')).status, 404);
      assert.equal((await rest.addConnectionToGroup(HUB, 'g1', id)).status, 200);
      assert.equal((await rest.addConnectionToGroup(HUB, 'g1', 'unknown')).status, 404);
      assert.equal((await rest.exists(HUB, '/groups/g1')).status, 200);
      assert.equal((await rest.removeConnectionFromGroup(HUB, 'g1', id)).status, 200);
      assert.equal((await rest.removeConnectionFromGroup(HUB, 'g1', 'unknown')).status, 404);
      assert.equal((await rest.exists(HUB, '/groups/g1')).status, 404);
      assert.equal((await rest.call('PUT', rest.url(HUB, `/connections/${id}/groups/g2`))).status, 200);
      assert.equal((await rest.call('DELETE', rest.url(HUB, `/connections/${id}/groups`))).status, 200);
      assert.equal((await rest.exists(HUB, '/groups/g2')).status, 404);
      assert.equal((await rest.closeConnection(HUB, id, 'done')).status, 200);
      const close = await client.next((frame) => frame.type === 7, 'a Close message');
      assert.deepEqual(close, { type: 7, error: 'done', allowReconnect: true });
      assert.equal((await rest.exists(HUB, `/connections/${id}`)).status, 404);
    });

    it(`${version}: user operations`, async () => {
      const user = `user-ops-${version}`;
      assert.equal((await rest.exists(HUB, `/users/${user}`)).status, 404);
      const client = await RawJsonClient.connect(service, { hub: HUB, userId: user });
      assert.equal((await rest.exists(HUB, `/users/${user}`)).status, 200);
      assert.equal((await rest.addUserToGroup(HUB, 'ug', user)).status, 200);
      assert.equal((await rest.exists(HUB, `/users/${user}/groups/ug`)).status, 200);
      assert.equal((await rest.exists(HUB, `/groups/ug/users/${user}`)).status, 200);
      assert.equal((await rest.exists(HUB, '/groups/ug')).status, 200);
      assert.equal((await rest.removeUserFromGroup(HUB, 'ug', user)).status, 204);
      assert.equal((await rest.exists(HUB, `/users/${user}/groups/ug`)).status, 404);
      assert.equal((await rest.addUserToGroup(HUB, 'ug2', user)).status, 200);
      assert.equal((await rest.removeUserFromAllGroups(HUB, user)).status, 204);
      assert.equal((await rest.exists(HUB, `/users/${user}/groups/ug2`)).status, 404);
      client.socket.close();
      await client.closed;
      await eventually(async () => (await rest.exists(HUB, `/users/${user}`)).status === 404, 'the user has no connection left');
    });

    it(`${version}: sends answer 202 whether or not anyone receives them`, async () => {
      assert.equal((await rest.broadcast('nobodyhere', 'message', 1)).status, 202);
      assert.equal((await rest.sendToGroup(HUB, 'empty', 'message', 1)).status, 202);
      assert.equal((await rest.sendToUser(HUB, 'nobody', 'message', 1)).status, 202);
      assert.equal((await rest.sendToConnection(HUB, 'unknown', 'message', 1)).status, 202);
    });
  }

  it("2022-06-01: closing all, a group's and a user's connections answers 204", async () => {
    const rest = new RestApi(service, '2022-06-01');
    const hub = 'closing';
    const a = await RawJsonClient.connect(service, { hub, userId: 'a' });
    const b = await RawJsonClient.connect(service, { hub, userId: 'b' });
    const c = await RawJsonClient.connect(service, { hub, userId: 'c' });
    assert.equal((await rest.addConnectionToGroup(hub, 'g', b.connectionId)).status, 200);
    assert.equal((await rest.call('POST', rest.url(hub, '/users/a/:closeConnections'))).status, 204);
    await a.closed;
    assert.equal((await rest.call('POST', rest.url(hub, '/groups/g/:closeConnections'))).status, 204);
    await b.closed;
    assert.equal((await rest.call('POST', rest.url(hub, `/:closeConnections?excluded=${c.connectionId}`))).status, 204);
    assert.equal((await rest.exists(hub, `/connections/${c.connectionId}`)).status, 200);
    assert.equal((await rest.call('POST', rest.url(hub, '/:closeConnections?reason=bye'))).status, 204);
    assert.deepEqual(await c.next((frame) => frame.type === 7, 'a Close message'), { type: 7, error: 'bye', allowReconnect: true });
  });

  it('existence checks use GET in v1 and HEAD in 2022-06-01', async () => {
    const rest = new RestApi(service, '2022-06-01');
    const get = await rest.call('GET', rest.url(HUB, '/users/someone'));
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'HEAD');
  });
});

describe('group membership', () => {
  const rest = new RestApi(service, '2022-06-01');

  it('a user membership with a ttl expires', async () => {
    const client = await RawJsonClient.connect(service, { hub: HUB, userId: 'short-lived' });
    assert.equal((await rest.addUserToGroup(HUB, 'ttl-group', 'short-lived', 1)).status, 200);
    assert.equal((await rest.exists(HUB, '/users/short-lived/groups/ttl-group')).status, 200);
    await eventually(async () => (await rest.exists(HUB, '/users/short-lived/groups/ttl-group')).status === 404, 'the membership expired');
    assert.equal((await rest.exists(HUB, '/groups/ttl-group')).status, 404);
    assert.equal((await rest.sendToGroup(HUB, 'ttl-group', 'message', 'too late')).status, 202);
    assert.equal((await rest.sendToUser(HUB, 'short-lived', 'message', 'direct')).status, 202);
    await invocation(client, 'direct');
    assert.equal(
      client.frames.some((frame) => JSON.stringify(frame).includes('too late')),
      false,
    );
  });

  it("keeps only a user's latest 100 groups joined without ttl, as Azure does", async () => {
    for (let i = 0; i <= 100; i++) assert.equal((await rest.addUserToGroup(HUB, `many-${i}`, 'joiner')).status, 200);
    assert.equal((await rest.exists(HUB, '/users/joiner/groups/many-0')).status, 404);
    assert.equal((await rest.exists(HUB, '/users/joiner/groups/many-1')).status, 200);
    assert.equal((await rest.exists(HUB, '/users/joiner/groups/many-100')).status, 200);
    // Joining again makes a group the latest: many-1 survives the next addition, many-2 does not.
    assert.equal((await rest.addUserToGroup(HUB, 'many-1', 'joiner')).status, 200);
    assert.equal((await rest.addUserToGroup(HUB, 'many-101', 'joiner')).status, 200);
    assert.equal((await rest.exists(HUB, '/users/joiner/groups/many-1')).status, 200);
    assert.equal((await rest.exists(HUB, '/users/joiner/groups/many-2')).status, 404);
  });

  it("ttl=0 adds only the user's current connections", async () => {
    const first = await RawJsonClient.connect(service, { hub: HUB, userId: 'now-only' });
    assert.equal((await rest.addUserToGroup(HUB, 'now', 'now-only', 0)).status, 200);
    assert.equal((await rest.exists(HUB, '/users/now-only/groups/now')).status, 404);
    const later = await RawJsonClient.connect(service, { hub: HUB, userId: 'now-only' });
    assert.equal((await rest.sendToGroup(HUB, 'now', 'message', 'current only')).status, 202);
    await invocation(first, 'current only');
    assert.equal((await rest.sendToConnection(HUB, later.connectionId, 'message', 'marker')).status, 202);
    await invocation(later, 'marker');
    assert.equal(
      later.frames.some((frame) => JSON.stringify(frame).includes('current only')),
      false,
    );
  });

  it("a user membership applies to the user's later connections", async () => {
    assert.equal((await rest.addUserToGroup(HUB, 'later', 'late-comer')).status, 200);
    const client = await RawJsonClient.connect(service, { hub: HUB, userId: 'late-comer' });
    assert.equal((await rest.sendToGroup(HUB, 'later', 'message', 'welcome')).status, 202);
    await invocation(client, 'welcome');
  });

  it('group names may hold any character but control characters, percent-encoded', async () => {
    const client = await RawJsonClient.connect(service, { hub: HUB, userId: 'slashes' });
    const group = 'boiler-7/temperature ünï';
    assert.equal((await rest.addConnectionToGroup(HUB, group, client.connectionId)).status, 200);
    assert.equal((await rest.sendToGroup(HUB, group, 'message', 'encoded')).status, 202);
    await invocation(client, 'encoded');
  });

  it('excluded connections do not receive a group message', async () => {
    const kept = await RawJsonClient.connect(service, { hub: HUB });
    const excluded = await RawJsonClient.connect(service, { hub: HUB });
    for (const client of [kept, excluded]) assert.equal((await rest.addConnectionToGroup(HUB, 'ex', client.connectionId)).status, 200);
    const url = rest.url(HUB, `/groups/ex/:send?excluded=${excluded.connectionId}`);
    assert.equal((await rest.call('POST', url, { target: 'message', arguments: ['not for all'] })).status, 202);
    await invocation(kept, 'not for all');
    assert.equal((await rest.sendToConnection(HUB, excluded.connectionId, 'message', 'marker')).status, 202);
    await invocation(excluded, 'marker');
    assert.equal(
      excluded.frames.some((frame) => JSON.stringify(frame).includes('not for all')),
      false,
    );
  });

  it('hub names are case-insensitive and an application prefixes them', async () => {
    const client = await RawJsonClient.connect(service, { hub: 'app_chat' });
    assert.equal(
      (await rest.call('POST', rest.url('Chat', '/:send?application=APP'), { target: 'message', arguments: ['prefixed'] })).status,
      202,
    );
    await invocation(client, 'prefixed');
  });
});

describe('bad requests get 4xx with an ErrorDetail body', () => {
  const rest = new RestApi(service, '2022-06-01');
  const send = rest.url(HUB, '/:send');

  async function expectError(response: Response, status: number, code: string, message: RegExp): Promise<void> {
    assert.equal(response.status, status);
    assert.equal(response.headers.get('x-ms-error-code'), code);
    const body = (await response.json()) as { code: string; message: string };
    assert.equal(body.code, code);
    assert.match(body.message, message);
  }

  it('a body that is not JSON', async () => {
    const token = await restToken(service, send);
    await expectError(
      await fetch(send, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{oops',
      }),
      400,
      'InvalidArgument',
      /not valid JSON/,
    );
  });

  it('a missing target and arguments that are not an array', async () => {
    await expectError(await rest.call('POST', send, { arguments: [] }), 400, 'InvalidArgument', /'target' is required/);
    await expectError(
      await rest.call('POST', send, { target: 'x', arguments: 'no' }),
      400,
      'InvalidArgument',
      /'arguments' must be an array/,
    );
  });

  it('a body larger than the limit', async () => {
    await expectError(
      await rest.call('POST', send, { target: 'x', arguments: ['z'.repeat(20 * 1024)] }),
      413,
      'PayloadTooLarge',
      /16384 bytes/,
    );
  });

  it('a body that is not JSON by its content type', async () => {
    await expectError(
      await rest.call('POST', send, { target: 'x' }, { 'Content-Type': 'application/x-msgpack' }),
      415,
      'UnsupportedMediaType',
      /application\/json/,
    );
  });

  it('a bad hub name, a whitespace group name and a bad ttl', async () => {
    await expectError(
      await rest.call('POST', rest.url('9lives', '/:send'), { target: 'x' }),
      400,
      'InvalidArgument',
      /hub name '9lives' is invalid/,
    );
    await expectError(await rest.call('PUT', rest.url(HUB, '/groups/%20%20/connections/c')), 400, 'InvalidArgument', /only white space/);
    await expectError(
      await rest.call('PUT', rest.url(HUB, `/groups/${'g'.repeat(1025)}/connections/c`)),
      400,
      'InvalidArgument',
      /longer than 1024/,
    );
    await expectError(
      await rest.call('PUT', rest.url(HUB, '/users/u/groups/g?ttl=-1')),
      400,
      'InvalidArgument',
      /'ttl' must be a whole number/,
    );
  });

  it('a missing or unsupported api-version', async () => {
    const url = `${service.endpoint}/api/hubs/${HUB}/:send`;
    await expectError(await rest.call('POST', url, { target: 'x' }), 400, 'MissingApiVersion', /api-version query parameter is required/);
    await expectError(
      await rest.call('POST', `${url}?api-version=1999-01-01`, { target: 'x' }),
      400,
      'UnsupportedApiVersion',
      /not supported/,
    );
  });

  it('an unknown path (404) and a wrong method (405)', async () => {
    await expectError(await rest.call('POST', rest.url(HUB, '/nothing/here')), 404, 'NotFound', /No REST API operation/);
    await expectError(await rest.call('PATCH', rest.url(HUB, '/:send')), 405, 'MethodNotAllowed', /use POST/);
  });
});
