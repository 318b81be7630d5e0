/**
 * The service's JSON and MessagePack hub protocols against the stock client's own
 * implementations: what one writes, the other reads, including frames split across reads and
 * MessagePack length prefixes of several bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonHubProtocol as ClientJson, MessageType, NullLogger, type HubMessage, type IHubProtocol } from '@microsoft/signalr';
import { MessagePackHubProtocol as ClientMessagePack } from '@microsoft/signalr-protocol-msgpack';
import { ProtocolError, type HubProtocol } from '../../api/local/signalr/hub-message.js';
import { JsonHubProtocol } from '../../api/local/signalr/json-hub-protocol.js';
import { MessagePackHubProtocol } from '../../api/local/signalr/messagepack-hub-protocol.js';

const MAX_FRAME_BYTES = 64 * 1024;
const pairs: [string, HubProtocol, IHubProtocol][] = [
  ['json', new JsonHubProtocol(MAX_FRAME_BYTES), new ClientJson()],
  ['messagepack', new MessagePackHubProtocol(MAX_FRAME_BYTES), new ClientMessagePack()],
];

/** What the stock client parses from bytes the service wrote. */
function clientReads(client: IHubProtocol, frame: Buffer): HubMessage[] {
  const input = client.transferFormat === 1 /* Text */ ? frame.toString('utf8') : new Uint8Array(frame).buffer;
  return client.parseMessages(input, NullLogger.instance);
}

function clientWrites(client: IHubProtocol, message: HubMessage): Buffer {
  const written = client.writeMessage(message);
  return typeof written === 'string' ? Buffer.from(written) : Buffer.from(written as ArrayBuffer);
}

for (const [name, service, client] of pairs) {
  describe(name, () => {
    it('an invocation the service writes is read by the stock client, large arguments included', () => {
      const args = [{ stream: 'boiler-7/temperature', series: [{ name: 'inside', x: [1, 2.5], y: [21.5, -3] }] }, 'x'.repeat(40_000)];
      const [message] = clientReads(client, service.write({ type: MessageType.Invocation, target: 'points', arguments: args }));
      assert.equal(message.type, MessageType.Invocation);
      assert.equal((message as { target: string }).target, 'points');
      assert.deepEqual((message as { arguments: unknown[] }).arguments, args);
    });

    it('a Close message carries its error and allowReconnect', () => {
      const [message] = clientReads(client, service.write({ type: MessageType.Close, error: 'bye', allowReconnect: true }));
      assert.deepEqual({ ...message }, { type: MessageType.Close, error: 'bye', allowReconnect: true });
    });

    it('a ping and a completion error are read as such', () => {
      assert.equal(clientReads(client, service.pingFrame)[0].type, MessageType.Ping);
      const [completion] = clientReads(client, service.write({ type: MessageType.Completion, invocationId: '3', error: 'no' }));
      assert.equal((completion as { error: string }).error, 'no');
    });

    it('reads what the stock client writes, also when frames arrive split', () => {
      const frames = Buffer.concat([
        clientWrites(client, { type: MessageType.Ping }),
        clientWrites(client, {
          type: MessageType.Invocation,
          invocationId: '1',
          target: 'subscribe',
          arguments: ['y'.repeat(500)],
          streamIds: [],
        }),
      ]);
      const cut = frames.length - 100;
      const first = service.parse(frames.subarray(0, cut));
      assert.deepEqual(first.messages, [{ type: MessageType.Ping, invocationId: undefined }]);
      const second = service.parse(Buffer.concat([first.rest, frames.subarray(cut)]));
      assert.deepEqual(second.messages, [{ type: MessageType.Invocation, invocationId: '1', target: 'subscribe' }]);
      assert.equal(second.rest.length, 0);
    });

    it('refuses a frame without a valid type, and an invocation without arguments', () => {
      const bad = name === 'json' ? Buffer.from('{"target":"x"}\u001e') : Buffer.from([0x02, 0x91, 0xc0]);
      assert.throws(() => service.parse(bad), ProtocolError);
      const noArguments =
        name === 'json' ? Buffer.from('{"type":1,"target":"x"}\u001e') : Buffer.from([0x06, 0x94, 0x01, 0x80, 0xc0, 0xa1, 0x78]);
      assert.throws(() => service.parse(noArguments), ProtocolError);
    });
  });
}

it('messagepack: a length prefix announcing more than the frame limit is refused before the frame arrives', () => {
  const prefix = Buffer.from([0x80, 0x80, 0x08]); // 131072
  assert.throws(() => new MessagePackHubProtocol(MAX_FRAME_BYTES).parse(prefix), /larger than the limit of 65536 bytes/);
});
