import type { NatsConnection } from 'nats';
import { coalesceNatsWrites } from './nats-write-coalescing';

/** A stand-in for nats.js's protocol handler: it records each flush (one socket write). */
function fakeConnection() {
  const writes: string[][] = [];
  let pending: string[] = [];
  const protocol = {
    publish(subject: string) {
      pending.push(subject);
      // What nats.js does: the first command of a batch schedules a flush in a microtask.
      if (pending.length === 1) queueMicrotask(() => protocol.flushPending());
    },
    flushPending() {
      if (pending.length > 0) writes.push(pending);
      pending = [];
    },
    close: jest.fn(async () => undefined),
  };
  return { nc: { protocol } as unknown as NatsConnection, protocol, writes };
}

const nextIteration = () => new Promise((resolve) => setImmediate(resolve));

describe('NATS write coalescing', () => {
  it('nats writes - publishes of several I/O callbacks of one loop iteration leave in one write, in order', async () => {
    const { nc, protocol, writes } = fakeConnection();
    expect(coalesceNatsWrites(nc)).toBe(true);
    // Three callbacks of one poll phase, each followed by its microtasks (as Node runs them).
    await new Promise<void>((resolve) => {
      let left = 3;
      for (const s of ['a', 'b', 'c']) {
        setImmediate(() => {
          protocol.publish(s);
          if (--left === 0) resolve();
        });
      }
    });
    await nextIteration();
    expect(writes).toEqual([['a', 'b', 'c']]);
  });

  it('nats writes - without coalescing each callback is its own write (what the change removes)', async () => {
    const { protocol, writes } = fakeConnection();
    for (const s of ['a', 'b', 'c']) {
      protocol.publish(s);
      await Promise.resolve();
    }
    expect(writes).toEqual([['a'], ['b'], ['c']]);
  });

  it('nats writes - close flushes what is pending first, so a publish right before close is not dropped', async () => {
    const { nc, protocol, writes } = fakeConnection();
    coalesceNatsWrites(nc);
    protocol.publish('last');
    await protocol.close();
    expect(writes).toEqual([['last']]);
  });

  it('nats writes - a nats.js without the internals is left alone (reported false)', () => {
    expect(coalesceNatsWrites({} as NatsConnection)).toBe(false);
  });
});
