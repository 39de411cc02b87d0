import pino from 'pino';
import { Shutdown } from './shutdown';

const logger = pino({ level: 'silent' });

describe('shutdown', () => {
  it('shutdown - runs steps in order, once, even when called twice', async () => {
    const order: string[] = [];
    const s = new Shutdown(logger, 1000);
    s.add('http', () => {
      order.push('http');
    });
    s.add('nats', async () => {
      await new Promise((r) => setTimeout(r, 10));
      order.push('nats');
    });
    s.add('redis', () => {
      order.push('redis');
    });
    await Promise.all([s.run('SIGTERM'), s.run('SIGINT')]);
    expect(order).toEqual(['http', 'nats', 'redis']);
  });

  it('shutdown - a failing step does not stop the rest', async () => {
    const order: string[] = [];
    const s = new Shutdown(logger, 1000);
    s.add('bad', () => {
      throw new Error('boom');
    });
    s.add('good', () => {
      order.push('good');
    });
    await s.run('test');
    expect(order).toEqual(['good']);
  });

  it('shutdown - is bounded: a hanging step cannot keep the process alive', async () => {
    jest.useFakeTimers();
    const s = new Shutdown(logger, 500);
    s.add('hang', () => new Promise(() => undefined));
    const done = s.run('test');
    jest.advanceTimersByTime(501);
    await expect(done).resolves.toBeUndefined();
    jest.useRealTimers();
  });
});
