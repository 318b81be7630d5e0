import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSignalRConnectionString } from '../../api/signalr/connection-string.js';

describe('SignalR connection strings', () => {
  it('reads an Azure connection string; the key may end in =', () => {
    assert.deepEqual(parseSignalRConnectionString('Endpoint=https://demo.service.signalr.net;AccessKey=abc+/def==;Version=1.0;'), {
      baseUrl: 'https://demo.service.signalr.net',
      audienceBase: 'https://demo.service.signalr.net',
      accessKey: 'abc+/def==',
    });
  });

  it('puts Port into the request URL but not into the audience', () => {
    const endpoint = parseSignalRConnectionString('Endpoint=http://localhost;Port=8888;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;');
    assert.equal(endpoint.baseUrl, 'http://localhost:8888');
    assert.equal(endpoint.audienceBase, 'http://localhost');
  });

  it('is case-insensitive in names and tolerates spaces and a trailing slash', () => {
    const endpoint = parseSignalRConnectionString(' endpoint = https://x.service.signalr.net/ ; accesskey = k ');
    assert.equal(endpoint.baseUrl, 'https://x.service.signalr.net');
    assert.equal(endpoint.accessKey, 'k');
  });

  for (const [connectionString, problem] of [
    ['AccessKey=secretkey;', /has no Endpoint/],
    ['Endpoint=https://x;', /has no AccessKey/],
    ['Endpoint=https://x;AccessKey=secretkey;Version=2.0', /only Version=1.0/],
    ['Endpoint=https://x;AuthType=aad;ClientId=1', /only access-key connection strings/],
    ['Endpoint=ftp://x;AccessKey=secretkey', /not http: or https:/],
    ['Endpoint=https://x/path;AccessKey=secretkey', /more than scheme, host and port/],
    ['Endpoint=https://x;Port=99999;AccessKey=secretkey', /Port that is not 1 to 65535/],
    ['Endpoint=https://x;garbage;AccessKey=secretkey', /not name=value/],
  ] as const) {
    it(`refuses ${connectionString.slice(0, 40)} without echoing the key`, () => {
      assert.throws(() => parseSignalRConnectionString(connectionString), (error: Error) => {
        assert.match(error.message, problem);
        assert.doesNotMatch(error.message, /secretkey/);
        return true;
      });
    });
  }
});
