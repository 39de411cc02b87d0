/**
 * What the fault tests (a NATS node killed, a Redis primary failed over) share: sends that
 * a client retries with the same clientMsgId until acknowledged (as a real client does), and the
 * check that every member saw every acknowledged message exactly once, in seq order.
 */
import { signToken, TEST_JWT_SECRET, TestClient, waitFor, type AppName, type AppProcess, type Frame, type TestStack } from '@relay/testing';

export interface Acked {
  seq: number;
  text: string;
}

/** Sends until `sent` comes back; SERVICE_UNAVAILABLE and timeouts are retried with the same clientMsgId. */
export async function sendUntilAcked(client: TestClient, room: string, text: string, clientMsgId: string, timeoutMs = 30000): Promise<Acked> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const reply = await client.request({ type: 'send', room, text, clientMsgId }, 3000);
      if (reply.type === 'sent') return { seq: reply.seq as number, text };
      last = reply;
      await new Promise((r) => setTimeout(r, Math.min(Number(reply.retryAfterMs ?? 200), 1000)));
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`"${text}" not acknowledged within ${timeoutMs} ms; last answer: ${JSON.stringify(last instanceof Error ? last.message : last)}`);
}

/** Sends `count` messages from each sender in turn; returns every acknowledgement. */
export async function chatRound(senders: TestClient[], room: string, label: string, count: number): Promise<Acked[]> {
  const acked: Acked[] = [];
  for (let i = 0; i < count; i++) {
    const results = await Promise.all(senders.map((s, k) => sendUntilAcked(s, room, `${label}-${k}-${i}`, `${label}-${k}-${i}`)));
    acked.push(...results);
  }
  return acked;
}

/** Every acknowledged message arrived at `member` once, and the room's messages came in seq order without gaps. */
export async function expectExactlyOnceInOrder(member: TestClient, room: string, acked: Acked[], timeoutMs = 20000): Promise<void> {
  const top = Math.max(...acked.map((a) => a.seq));
  const isMsg = (f: Frame) => f.type === 'message' && f.room === room;
  await waitFor(() => member.received(isMsg).some((f) => (f.seq as number) >= top), { timeoutMs, what: `seq ${top} at a member` });
  const seqs = member.received(isMsg).map((f) => f.seq as number);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  const textBySeq = new Map(member.received(isMsg).map((f) => [f.seq as number, f.text as string]));
  for (const a of acked) expect({ seq: a.seq, text: textBySeq.get(a.seq) }).toEqual({ seq: a.seq, text: a.text });
}

/** A client of `user` on a gateway process (closed by the caller). */
export function connectTo(gateway: AppProcess, user: string): Promise<TestClient> {
  return TestClient.connect(`ws://127.0.0.1:${gateway.port}/ws`, signToken(user, TEST_JWT_SECRET));
}

/**
 * Starts `name` until its NATS connection lands on the node `wanted` (the client picks a random
 * server from its URL list), killing misplaced tries; bounded, so a bug fails instead of looping.
 */
export async function startOnNode(
  stack: TestStack,
  name: AppName,
  env: Record<string, string>,
  wanted: number,
  nodeOf: (app: AppProcess) => Promise<number>,
): Promise<AppProcess> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const app = await stack.add(name, env);
    if ((await waitFor(async () => { const n = await nodeOf(app); return n >= 0 ? n : undefined; }, { what: `${name} on some NATS node` })) === wanted) return app;
    await app.kill();
  }
  throw new Error(`${name} never landed on NATS node ${wanted} in 20 tries`);
}
