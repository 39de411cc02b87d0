import * as ws from 'ws';
import { WireFrame } from './wire-frame';

interface FrameParser {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  write(bytes: Buffer, cb: (err?: Error | null) => void): void;
}
/** The frame parser every ws client uses: exported by ws at runtime, not declared by @types/ws. */
const Receiver = (ws as unknown as { Receiver: new (opts: { isServer: boolean; maxPayload: number }) => FrameParser }).Receiver;

/** Parses bytes the way a client's `ws` does and returns the text messages it saw. */
function receive(bytes: Buffer): Promise<string[]> {
  const texts: string[] = [];
  const receiver = new Receiver({ isServer: false, maxPayload: 0 });
  return new Promise((resolve, reject) => {
    receiver.on('message', (data, isBinary) => {
      if (isBinary) reject(new Error('binary frame'));
      texts.push(data.toString('utf8'));
    });
    receiver.on('error', reject);
    receiver.write(bytes, (err) => (err ? reject(err) : resolve(texts)));
  });
}

describe('WireFrame', () => {
  it.each([
    ['empty', ''],
    ['125 bytes (7-bit length)', 'a'.repeat(125)],
    ['126 bytes (16-bit length)', 'b'.repeat(126)],
    ['65,535 bytes (largest 16-bit length)', 'c'.repeat(65535)],
    ['65,536 bytes (64-bit length)', 'd'.repeat(65536)],
    ['multi-byte UTF-8 counted in bytes, not characters', '€'.repeat(50)],
  ])('encodes a text frame a ws client reads back unchanged: %s', async (_name, text) => {
    const frame = WireFrame.text(text);
    expect(frame.byteLength).toBe(frame.bytes.length);
    expect(await receive(frame.bytes)).toEqual([text]);
  });

  it('frames written back to back are read as separate messages (one writev carries several)', async () => {
    const bytes = Buffer.concat(['{"type":"message"}', 'x'.repeat(300), '{"type":"member"}'].map((t) => WireFrame.text(t).bytes));
    expect(await receive(bytes)).toEqual(['{"type":"message"}', 'x'.repeat(300), '{"type":"member"}']);
  });
});
