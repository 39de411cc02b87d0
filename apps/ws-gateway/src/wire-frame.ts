/**
 * A server-to-client WebSocket text frame encoded once, header and payload, exactly as it goes
 * on the wire (RFC 6455 section 5.2). Frames a server sends are unmasked and, without
 * permessage-deflate (the gateway never negotiates it), the same bytes for every recipient: a
 * room fan-out encodes one and writes the same Buffer to every member's socket, instead of
 * `ws` building a header and converting the text per recipient. (gorilla/websocket calls this a
 * PreparedMessage; Centrifugo fans out the same way.)
 */
export class WireFrame {
  private constructor(
    /** Header and payload in one Buffer. */
    readonly bytes: Buffer,
  ) {}

  static text(text: string): WireFrame {
    const payloadBytes = Buffer.byteLength(text);
    const headerBytes = payloadBytes < 126 ? 2 : payloadBytes < 65536 ? 4 : 10;
    const bytes = Buffer.allocUnsafe(headerBytes + payloadBytes);
    bytes[0] = 0x81; // FIN, opcode 1 (text)
    if (headerBytes === 2) bytes[1] = payloadBytes;
    else if (headerBytes === 4) {
      bytes[1] = 126;
      bytes.writeUInt16BE(payloadBytes, 2);
    } else {
      bytes[1] = 127;
      bytes.writeBigUInt64BE(BigInt(payloadBytes), 2);
    }
    bytes.write(text, headerBytes, 'utf8');
    return new WireFrame(bytes);
  }

  get byteLength(): number {
    return this.bytes.length;
  }
}
