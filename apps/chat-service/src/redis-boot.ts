import type { Redis } from '@relay/service-kit';

/**
 * Which Redis server process the client is talking to (its INFO `run_id`, new at every start).
 * The epoch rule needs it: a room last written before a Redis restart may have lost its last
 * acknowledged writes, so its next write starts a new epoch (lua/ensure-epoch.ts).
 *
 * The id is asked for on every `ready`; until the answer is in, callers wait for it, so no
 * write made after a restart can carry the previous server's id. (The client's offline queue
 * is off: nothing is sent before `ready`.)
 */
export class RedisBoot {
  private current: Promise<string>;

  constructor(private readonly redis: Redis) {
    redis.on('ready', () => {
      this.current = this.ask();
    });
    // Before the first `ready`, callers wait for it; the listener above has asked by then.
    this.current = redis.status === 'ready' ? this.ask() : new Promise((resolve) => redis.once('ready', () => resolve(this.current)));
  }

  /** The run id of the server behind the current connection; '' when Redis does not tell. */
  id(): Promise<string> {
    return this.current;
  }

  private async ask(): Promise<string> {
    try {
      const info = await this.redis.info('server');
      return /^run_id:([0-9a-f]+)/m.exec(info)?.[1] ?? '';
    } catch {
      // Down again before it answered: the next `ready` asks again. Until then a write fails on
      // the connection anyway; '' only turns the restart check off for that moment.
      return '';
    }
  }
}
