import { RelayClient, RelayError, type ConnectionStatus, type WelcomeServerFrame } from '@relay/client';
import WebSocket from 'ws';
import type { CliOptions } from './args';
import type { Command } from './commands';
import { fetchDevToken } from './dev-token';
import { CliError, describeNetworkError } from './errors';
import { formatFrame, type Line } from './format';

/** Failed reconnect attempts in a row after which the terminal client gives up and says so. */
const RECONNECT_ATTEMPTS = 6;

export type Print = (line: Line) => void;

/**
 * A terminal chat session on top of @relay/client: rooms joined in order (the last one is
 * current), every command run to completion before the next so sends keep their order. The
 * client reconnects, rejoins each room with `since` and resends an unacknowledged message with
 * the same clientMsgId; this class only prints and decides when to give up.
 */
export class ChatSession {
  private client?: RelayClient;
  private rooms: string[] = [];
  private current?: string;
  private fatal?: CliError;
  private everOnline = false;
  failures = 0;

  constructor(
    private readonly opts: CliOptions,
    private readonly print: Print,
  ) {}

  /** Connects and joins the first room; throws CliError when that is impossible. */
  async start(): Promise<void> {
    let token = this.opts.token ?? (await this.devToken());
    const client = new RelayClient({
      url: this.opts.url,
      WebSocket,
      backoff: { baseMs: 500, maxMs: 4000 },
      // A dev token may have expired meanwhile: ask again (a --token is the user's to renew).
      token: async ({ reason }) => (this.opts.token || reason === 'connect' ? token : (token = await this.devToken())),
    });
    this.client = client;
    client.on('welcome', (w) => this.onWelcome(w));
    client.on('message', (f) => this.emit(f));
    client.on('member', (f) => this.emit(f));
    client.on('notification', (f) => this.emit(f));
    client.on('joined', (r) => {
      if (r.rejoin && r.recovered === false) this.status(`[${r.room}] too much was missed to replay: /history shows the latest`);
    });
    client.on('error', (err) => {
      if (err.code !== 'CONNECT_FAILED' && err.code !== 'DISCONNECTED' && err.code !== 'TOKEN') this.print({ stream: 'err', text: `error ${err.code}: ${err.message}` });
    });
    const firstFailure = new Promise<never>((_resolve, reject) => {
      client.on('state', (s) => {
        const failed = this.onState(s);
        if (failed && !this.everOnline) reject(failed);
      });
    });
    firstFailure.catch(() => undefined); // only read by the race below
    await Promise.race([client.connect(), firstFailure]);
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
        const joined = await this.attempt((c) => c.join(cmd.room), `join [${cmd.room}]`);
        if (joined) {
          if (!this.rooms.includes(cmd.room)) this.rooms.push(cmd.room);
          this.current = cmd.room;
          this.status(`joined [${cmd.room}] (latest seq ${joined.seq})`);
        }
        return true;
      }
      case 'leave': {
        const room = cmd.room ?? this.current;
        if (!room) return this.problem('not in any room');
        this.rooms = this.rooms.filter((r) => r !== room);
        if (this.current === room) this.current = this.rooms[this.rooms.length - 1];
        if (await this.attempt((c) => c.leave(room).then(() => true), `leave [${room}]`)) this.status(`left [${room}]${this.current ? `, now in [${this.current}]` : ''}`);
        return true;
      }
      case 'who': {
        const room = this.current;
        if (!room) return this.problem('not in any room: /join ROOM first');
        const users = await this.attempt((c) => c.presence(room), 'who');
        if (users) this.emit({ type: 'presence', room, users });
        return true;
      }
      case 'history': {
        const room = this.current;
        if (!room) return this.problem('not in any room: /join ROOM first');
        const messages = await this.attempt((c) => c.history(room, { limit: cmd.limit }), 'history');
        for (const m of messages ?? []) this.print({ stream: 'out', text: `[${m.room}] ${m.from}: ${m.text}` });
        return true;
      }
      case 'send': {
        const room = this.current;
        if (!room) return this.problem('not in any room: /join ROOM first');
        await this.attempt((c) => c.send(room, cmd.text), 'send');
        return true;
      }
    }
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  /** Called once if the connection is lost for good (reconnection gave up). */
  onLost: (err: CliError) => void = () => undefined;

  /** One request; the client queues it while reconnecting, so only a real answer (or giving up) ends it. */
  private async attempt<T>(call: (c: RelayClient) => Promise<T>, what: string): Promise<T | undefined> {
    if (this.fatal) throw this.fatal;
    if (!this.client) throw new CliError('not connected');
    try {
      return await call(this.client);
    } catch (err) {
      if (this.fatal) throw this.fatal;
      this.failures++;
      this.problem(`${what} failed: ${err instanceof RelayError ? `${err.code}: ${err.message}` : (err as Error).message}`);
      return undefined;
    }
  }

  /** Prints connection changes; returns the CliError that ends the session, if this state does. */
  private onState(s: ConnectionStatus): CliError | undefined {
    if (s.state !== 'connecting' && s.state !== 'reconnecting') return undefined;
    if (!s.error) return undefined;
    if (!this.everOnline) return new CliError(this.describeFailure(s.error));
    if (s.attempt === 1) this.status(`connection lost${s.closeCode !== undefined ? ` (close code ${s.closeCode})` : ''}, reconnecting…`);
    if (s.attempt >= RECONNECT_ATTEMPTS && !this.fatal) {
      this.fatal = new CliError(`connection to ${this.opts.url} lost: ${this.describeFailure(s.error)}`);
      void this.client?.close();
      this.onLost(this.fatal);
    }
    return undefined;
  }

  private describeFailure(err: RelayError): string {
    const status = err.details.status;
    if (status === 401) return `${this.opts.url} refused the connection with HTTP 401: the token was refused (wrong secret, expired or malformed)`;
    if (status === 404) return `${this.opts.url} refused the connection with HTTP 404: no WebSocket endpoint there (path should be /ws)`;
    if (status !== undefined) return `${this.opts.url} refused the connection with HTTP ${status}`;
    if (err.code === 'CONNECT_FAILED' && err.details.cause) return `cannot connect to ${this.opts.url}: ${describeNetworkError(err.details.cause)}`;
    return err.message;
  }

  private onWelcome(w: WelcomeServerFrame): void {
    if (this.everOnline) this.status('reconnected');
    this.everOnline = true;
    this.emit(w);
  }

  private devToken(): Promise<string> {
    if (!this.opts.user) throw new CliError('--user is required to get a dev token', 2);
    return fetchDevToken(this.opts.url, this.opts.user);
  }

  private emit(frame: Parameters<typeof formatFrame>[0]): void {
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
