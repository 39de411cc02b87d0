import { randomUUID } from 'node:crypto';
import type { HistoryServerFrame, JoinedServerFrame, PresenceServerFrame, ServerFrame } from '@relay/contracts';
import type { CliOptions } from './args';
import type { Command } from './commands';
import { Connection, type Request } from './connection';
import { fetchDevToken } from './dev-token';
import { CliError, RequestFailed } from './errors';
import { formatFrame, type Line } from './format';

const RECONNECT_ATTEMPTS = 6;
const RECONNECT_MAX_DELAY_MS = 4000;

export type Print = (line: Line) => void;

/**
 * A terminal chat session: one gateway, rooms joined in order (the last one is current), every
 * command run to completion before the next so sends keep their order. When the socket drops
 * it reconnects a few times and rejoins each room with `since`, resending an unacknowledged
 * message with the same clientMsgId (the gateway stores it once).
 */
export class ChatSession {
  private conn?: Connection;
  private token = '';
  /** room -> last seq printed (the `since` of a rejoin). */
  private readonly rooms = new Map<string, number | undefined>();
  private readonly seenNotifications = new Set<string>();
  private current?: string;
  private closing = false;
  private reconnecting?: Promise<void>;
  private fatal?: CliError;
  failures = 0;

  constructor(
    private readonly opts: CliOptions,
    private readonly print: Print,
  ) {}

  /** Connects and joins the first room; throws CliError when that is impossible. */
  async start(): Promise<void> {
    this.token = this.opts.token ?? (await this.devToken());
    await this.connect();
    await this.run({ kind: 'join', room: this.opts.room });
    if (this.failures > 0) throw new CliError(`could not join [${this.opts.room}]`);
  }

  /** Runs one stdin command. Returns false when the session should end (/quit). */
  async run(cmd: Command): Promise<boolean> {
    switch (cmd.kind) {
      case 'skip':
        return true;
      case 'quit':
        return false;
      case 'invalid':
        return this.problem(cmd.message);
      case 'join': {
        const joined = await this.attempt<JoinedServerFrame>({ type: 'join', room: cmd.room }, `join [${cmd.room}]`);
        if (joined) {
          if (!this.rooms.has(cmd.room)) this.rooms.set(cmd.room, joined.seq);
          this.current = cmd.room;
          this.status(`joined [${cmd.room}] (latest seq ${joined.seq})`);
        }
        return true;
      }
      case 'leave': {
        const room = cmd.room ?? this.current;
        if (!room) return this.problem('not in any room');
        this.rooms.delete(room);
        if (this.current === room) this.current = [...this.rooms.keys()].pop();
        if (await this.attempt({ type: 'leave', room }, `leave [${room}]`)) this.status(`left [${room}]${this.current ? `, now in [${this.current}]` : ''}`);
        return true;
      }
      case 'who': {
        if (!this.current) return this.problem('not in any room: /join ROOM first');
        const p = await this.attempt<PresenceServerFrame>({ type: 'presence', room: this.current }, 'who');
        if (p) this.emit(p);
        return true;
      }
      case 'history': {
        if (!this.current) return this.problem('not in any room: /join ROOM first');
        const h = await this.attempt<HistoryServerFrame>({ type: 'history', room: this.current, limit: cmd.limit }, 'history');
        for (const m of h?.messages ?? []) this.print({ stream: 'out', text: `[${m.room}] ${m.from}: ${m.text}` });
        return true;
      }
      case 'send': {
        if (!this.current) return this.problem('not in any room: /join ROOM first');
        await this.attempt({ type: 'send', room: this.current, text: cmd.text, clientMsgId: randomUUID() }, 'send');
        return true;
      }
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.conn?.close();
  }

  /** Called once if the connection is lost for good (reconnection gave up). */
  onLost: (err: CliError) => void = () => undefined;

  /** A request that survives a reconnect: retried once the session is back, same frame (same clientMsgId). */
  private async attempt<T extends ServerFrame>(frame: Request, what: string): Promise<T | undefined> {
    for (;;) {
      if (this.fatal) throw this.fatal;
      if (this.reconnecting) await this.reconnecting;
      try {
        if (!this.conn) throw new RequestFailed('DISCONNECTED', 'not connected');
        return await this.conn.request<T>(frame);
      } catch (err) {
        if (err instanceof RequestFailed && err.code === 'DISCONNECTED') {
          await this.waitForReconnect();
          continue;
        }
        this.failures++;
        this.problem(`${what} failed: ${err instanceof RequestFailed ? `${err.code}: ${err.message}` : (err as Error).message}`);
        return undefined;
      }
    }
  }

  private devToken(): Promise<string> {
    if (!this.opts.user) throw new CliError('--user is required to get a dev token', 2);
    return fetchDevToken(this.opts.url, this.opts.user);
  }

  private async connect(): Promise<Connection> {
    const conn = await Connection.open(this.opts.url, this.token);
    this.conn = conn;
    conn.onFrame = (f) => this.onFrame(f);
    this.emit(conn.welcome);
    void conn.closed.then(({ code }) => {
      if (this.closing || this.conn !== conn) return;
      this.conn = undefined;
      this.status(`connection lost (close code ${code}), reconnecting…`);
      // Failure is reported through onLost; commands waiting on it get the error themselves.
      this.waitForReconnect().catch(() => undefined);
    });
    return conn;
  }

  private waitForReconnect(): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    this.reconnecting ??= this.reconnect().finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  private async reconnect(): Promise<void> {
    let last = '';
    for (let attempt = 0; attempt < RECONNECT_ATTEMPTS; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(RECONNECT_MAX_DELAY_MS, 250 * 2 ** attempt) * (0.5 + Math.random() / 2)));
      try {
        // A dev token may have expired meanwhile: ask again (a --token is the user's to renew).
        if (!this.opts.token && attempt > 0) this.token = await this.devToken();
        await this.rejoin(await this.connect());
        return;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    this.fatal = new CliError(`connection to ${this.opts.url} lost: ${last}`);
    this.onLost(this.fatal);
    throw this.fatal;
  }

  /** Every room back with since = last seq printed: the gateway replays what was missed. */
  private async rejoin(conn: Connection): Promise<void> {
    for (const [room, since] of this.rooms) {
      const joined = await conn.request<JoinedServerFrame>({ type: 'join', room, ...(since !== undefined ? { since } : {}) });
      if (joined.recovered === false) {
        this.status(`[${room}] too much was missed to replay: /history shows the latest`);
        this.rooms.set(room, joined.seq);
      }
    }
    this.status('reconnected');
  }

  private onFrame(frame: ServerFrame): void {
    if (frame.type === 'message') {
      const last = this.rooms.get(frame.room);
      // Seq only grows within a room: anything at or below the last one printed is a replayed duplicate.
      if (!this.rooms.has(frame.room) || (last !== undefined && frame.seq <= last)) return;
      this.rooms.set(frame.room, frame.seq);
    }
    if (frame.type === 'notification') {
      if (this.seenNotifications.has(frame.id)) return;
      this.seenNotifications.add(frame.id);
    }
    this.emit(frame);
  }

  private emit(frame: ServerFrame): void {
    const line = formatFrame(frame);
    if (line) this.print(line);
  }

  private status(text: string): void {
    this.print({ stream: 'err', text });
  }

  /** Reports a problem with one command; the session goes on (returns true for run()). */
  private problem(text: string): true {
    this.print({ stream: 'err', text: `error: ${text}` });
    return true;
  }
}
