import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AzureKeyCredential, generateSharedAccessSignature } from '@azure/eventgrid';
import { LOCAL_TOPIC_KEY } from '../../api/local/eventgrid/local-topic-defaults.js';
import { parseServiceTime, verifySharedAccessSignature } from '../../api/local/eventgrid/publish-authorization.js';

const endpoint = 'http://127.0.0.1:7072/api/events';
const credential = new AzureKeyCredential(LOCAL_TOPIC_KEY);

describe('SAS tokens as @azure/eventgrid generateSharedAccessSignature builds them', () => {
  it('reads the expiry in .NET en-US "M/d/yyyy h:mm:ss AM" UTC, including 12 AM (midnight) and 12 PM (noon)', () => {
    assert.equal(parseServiceTime('6/5/2020 12:09:03 PM')?.toISOString(), '2020-06-05T12:09:03.000Z');
    assert.equal(parseServiceTime('1/31/2030 12:00:00 AM')?.toISOString(), '2030-01-31T00:00:00.000Z');
    assert.equal(parseServiceTime('12/1/2030 11:59:59 PM')?.toISOString(), '2030-12-01T23:59:59.000Z');
    for (const bad of ['2030-01-01T00:00:00Z', '2/30/2030 1:00:00 AM', '1/1/2030 13:00:00 PM', '1/1/2030 0:00:00 AM']) {
      assert.equal(parseServiceTime(bad), undefined, bad);
    }
  });

  it('accepts a token until its expiry, for the host it was issued for', async () => {
    for (const expiresOn of [new Date('2030-06-05T00:30:00Z'), new Date('2030-06-05T12:30:00Z')]) {
      const token = await generateSharedAccessSignature(endpoint, credential, expiresOn);
      const justBefore = new Date(expiresOn.getTime() - 1000);
      assert.deepEqual(verifySharedAccessSignature(token, LOCAL_TOPIC_KEY, '127.0.0.1:7072', justBefore), { authorized: true });
      assert.match(String((verifySharedAccessSignature(token, LOCAL_TOPIC_KEY, '127.0.0.1:7072', expiresOn) as { reason: string }).reason), /expired at 2030-06-05T/);
      assert.match(String((verifySharedAccessSignature(token, LOCAL_TOPIC_KEY, 'localhost:7072', justBefore) as { reason: string }).reason), /not this topic's endpoint/);
    }
  });

  it('refuses a token whose expiry was changed after signing', async () => {
    const token = await generateSharedAccessSignature(endpoint, credential, new Date('2020-01-01T00:00:00Z'));
    const extended = token.replace(/&e=[^&]+/, `&e=${encodeURIComponent('1/1/2099 12:00:00 AM')}`);
    const result = verifySharedAccessSignature(extended, LOCAL_TOPIC_KEY, '127.0.0.1:7072', new Date('2025-01-01T00:00:00Z'));
    assert.match(String((result as { reason: string }).reason), /signature was not made with a key of this topic/);
  });
});
