import { Writable } from 'node:stream';
import pino from 'pino';
import { installProcessGuards } from './process-guards';
import { Shutdown } from './shutdown';

const EVENTS = ['unhandledRejection', 'uncaughtException', 'SIGTERM', 'SIGINT'] as const;

describe('process-guards', () => {
  it('process-guards - an unhandled rejection is logged with its error and does not stop the process', () => {
    const lines: Array<{ level: number; msg: string; err?: { message: string } }> = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const logger = pino({ level: 'info' }, stream);
    const listenersOf = (e: string) => process.listeners(e as 'exit') as unknown[];
    const before = new Map(EVENTS.map((e) => [e, listenersOf(e)]));
    const shutdown = new Shutdown(logger, 1000);
    const ran = jest.spyOn(shutdown, 'run');
    installProcessGuards(shutdown, logger);
    try {
      const added = process.listeners('unhandledRejection').filter((l) => !before.get('unhandledRejection')?.includes(l as unknown));
      expect(added).toHaveLength(1);
      added[0](new Error('reply could not be sent'), Promise.resolve());
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringContaining('unhandled promise rejection'), err: expect.objectContaining({ message: 'reply could not be sent' }) }));
          expect(ran).not.toHaveBeenCalled();
          resolve();
        }),
      );
    } finally {
      for (const e of EVENTS) {
        for (const l of listenersOf(e)) if (!before.get(e)?.includes(l)) process.removeListener(e, l as () => void);
      }
    }
  });
});
