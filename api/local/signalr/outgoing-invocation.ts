/**
 * A message pushed to clients (an invocation without id). It is serialized at most once per
 * protocol however many connections receive it, which keeps fan-out cheap.
 */
import { MessageType, type HubProtocol } from './hub-message.js';

export class OutgoingInvocation {
  private readonly frames = new Map<HubProtocol, Buffer>();

  constructor(
    readonly target: string,
    readonly args: readonly unknown[],
  ) {}

  frameFor(protocol: HubProtocol): Buffer {
    let frame = this.frames.get(protocol);
    if (frame === undefined) {
      frame = protocol.write({ type: MessageType.Invocation, target: this.target, arguments: this.args });
      this.frames.set(protocol, frame);
    }
    return frame;
  }
}
