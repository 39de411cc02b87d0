/**
 * One client of the chaos run: a real @relay/client (reconnect with backoff across the gateways,
 * rejoin with `since` and `epoch`, offline send queue, de-dup by id) on the `ws` package, in one
 * room. It sends at its pace with at most one send outstanding, fetches history after a gap or an
 * unrecovered rejoin as the web page does, and reports everything into the ledger.
 */
import { randomUUID } from 'node:crypto';
import { RelayClient, RelayError, type ChatMessage, type JoinResult } from '@relay/client';
import { signToken, TEST_JWT_SECRET } from '@relay/testing';
import WebSocket from 'ws';
import type { Ledger } from './ledger';

const PAGE = 100;
/** Pause before a failed send is tried again (same clientMsgId). */
const RETRY_MS = 250;
/** Bound of a catch-up after an unrecovered rejoin (pages of 100). */
const MAX_CATCH_UP_PAGES = 50;
/**
 * Every this many messages, a user's message mentions its peer (the next member of its room):
 * the run then also proves that no acknowledged mention is lost or notified twice. About 7
 * mentions a minute per sender at the default pace, well inside the mention budget (120).
 */
const MENTION_EVERY = 3;

export class ChaosUser {
  private readonly client: RelayClient;
  private timer?: ReturnType<typeof setInterval>;
  private sending = false;
  /** Since when (time, ledger phase) sends have failed. */
  private failingSince?: { at: number; phase: number };
  /** Since when the client has been without a joined connection (it cannot send then). */
  private offlineSince?: { at: number; phase: number };
  private lastSeq = 0;
  private n = 0;
  private stopped = false;
  private everJoined = false;

  constructor(
    readonly user: string,
    readonly room: string,
    urls: string[],
    private readonly ledger: Ledger,
    /** The member this user's mentions name; none: it mentions nobody. */
    private readonly peer?: string,
  ) {
    // Users spread over the gateways: each starts at a different one and rotates on failure.
    const offset = Number(/(\d+)$/.exec(user)?.[1] ?? 0) % urls.length;
    const rotated = [...urls.slice(offset), ...urls.slice(0, offset)];
    this.client = new RelayClient({
      url: rotated,
      token: () => signToken(user, TEST_JWT_SECRET),
      WebSocket,
      requestTimeoutMs: 10_000,
      backoff: { baseMs: 250, maxMs: 3000 },
    });
    ledger.member(user, room);
    this.client.on('message', (m) => {
      if (m.room !== room) return;
      ledger.shownMessage(user, m.id);
      this.lastSeq = m.seq; // in order within an epoch; a new epoch starts the count over
    });
    this.client.on('notification', (n) => {
      const messageId = (n.data as { messageId?: unknown } | undefined)?.messageId;
      // Acknowledged by the client right after this listener (autoAck), as the web page does.
      if (n.kind === 'mention' && typeof messageId === 'string') ledger.shownMention(user, n.id, messageId);
    });
    this.client.on('gap', (g) => void this.fillGap(g.from, g.to));
    this.client.on('joined', (j) => void this.onJoined(j));
    this.client.on('state', (st) => {
      if (st.state !== 'open' && this.everJoined) this.offlineSince ??= this.mark();
    });
  }

  get connected(): boolean {
    return this.client.status.state === 'open';
  }

  /** Connected, joined and not stuck on a failing send: the client can send again. */
  get canSend(): boolean {
    return this.connected && this.offlineSince === undefined && this.failingSince === undefined;
  }

  async join(): Promise<void> {
    const j = await this.client.join(this.room);
    this.everJoined = true;
    this.lastSeq = Math.max(this.lastSeq, j.seq);
  }

  /** Starts sending one message every `intervalMs` (skipped while the previous one is outstanding). */
  startSending(intervalMs: number): void {
    const first = Math.random() * intervalMs;
    setTimeout(() => {
      if (this.timer !== undefined || this.stopped) return;
      void this.sendOne();
      this.timer = setInterval(() => void this.sendOne(), intervalMs);
    }, first).unref();
  }

  stopSending(): void {
    this.stopped = true; // a start timer still pending does nothing
    clearInterval(this.timer);
    // An outage still going on when the load stops counts up to now.
    for (const since of [this.failingSince, this.offlineSince]) if (since) this.ledger.sendOutage(Date.now() - since.at, since.phase);
  }

  /** Waits until nothing is outstanding (bounded by the client's own timeouts). */
  async drained(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.sending && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return !this.sending;
  }

  /** Every message id in the room's history, newest page first back to the start (bounded). */
  async storedIds(maxPages = 500): Promise<Set<string>> {
    const ids = new Set<string>();
    let before: number | undefined;
    for (let page = 0; page < maxPages; page++) {
      const messages: ChatMessage[] = await this.client.history(this.room, { limit: PAGE, ...(before !== undefined ? { before } : {}) });
      for (const m of messages) ids.add(m.id);
      if (messages.length < PAGE) break;
      before = messages[0].seq;
    }
    return ids;
  }

  close(): Promise<void> {
    this.stopSending();
    return this.client.close();
  }

  /**
   * Sends the next message; a failed send is retried every RETRY_MS with the same clientMsgId, as
   * the client docs say to (stored once even when the first reply was lost), until it is
   * acknowledged, refused for good, or the load stops. That also measures an outage to RETRY_MS.
   */
  private async sendOne(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    const started = this.mark();
    const n = ++this.n;
    const mentioned = this.peer !== undefined && n % MENTION_EVERY === 0 ? this.peer : undefined;
    const text = mentioned ? `${this.user} #${n} for @${mentioned}` : `${this.user} #${n}`;
    const clientMsgId = randomUUID();
    try {
      for (;;) {
        try {
          const sent = await this.client.send(this.room, text, { clientMsgId });
          this.ledger.ackedMessage(sent.id, sent.room, sent.seq);
          if (mentioned) this.ledger.ackedMention(sent.id, mentioned);
          const since = this.failingSince ?? started;
          this.ledger.sendOutage(Date.now() - since.at, since.phase);
          this.failingSince = undefined;
          return;
        } catch (err) {
          if (err instanceof RelayError && err.code === 'CLOSED') return;
          this.ledger.sendFailed();
          this.failingSince ??= started;
          if (!(err instanceof RelayError) || !err.retryable) return;
        }
        await new Promise((r) => setTimeout(r, RETRY_MS));
        if (this.stopped) return;
      }
    } finally {
      this.sending = false;
    }
  }

  private mark(): { at: number; phase: number } {
    return { at: Date.now(), phase: this.ledger.phaseIndex };
  }

  /** A gap shown by seq numbers: fetch the missing range from history, as a page does. */
  private async fillGap(from: number, to: number): Promise<void> {
    try {
      const got = await this.fetchRange(from, to);
      if (got) this.ledger.gapRecovered();
    } catch {
      // The history request failed (a fault is going on): the final check counts what stays missing.
      this.ledger.historyFailed();
    }
  }

  /** After a rejoin the gateway could not replay (recovered:false, or a new epoch): page back. */
  private async onJoined(j: JoinResult): Promise<void> {
    if (j.rejoin && this.offlineSince !== undefined) {
      // Joined again: sends flow from here on (the client holds them until its rooms are rejoined).
      this.ledger.sendOutage(Date.now() - this.offlineSince.at, this.offlineSince.phase);
      this.offlineSince = undefined;
    }
    if (!j.rejoin || j.recovered !== false) return;
    this.ledger.unrecoveredJoin();
    try {
      const from = j.epochChanged ? 1 : this.lastSeq + 1;
      if (j.seq >= from && (await this.fetchRange(from, j.seq))) this.ledger.gapRecovered();
    } catch {
      this.ledger.historyFailed();
    }
  }

  /** Fetches seqs from..to into the ledger; true when the store had all of them. */
  private async fetchRange(from: number, to: number): Promise<boolean> {
    let before = to + 1;
    let found = 0;
    for (let page = 0; page < MAX_CATCH_UP_PAGES && before > from; page++) {
      const messages = await this.client.history(this.room, { before, limit: Math.min(PAGE, before - from) });
      for (const m of messages) {
        if (m.seq < from) continue;
        this.ledger.fetchedMessage(this.user, m.id);
        found++;
      }
      if (messages.length === 0) break;
      before = messages[0].seq;
    }
    this.lastSeq = Math.max(this.lastSeq, to);
    return found >= to - from + 1;
  }
}
