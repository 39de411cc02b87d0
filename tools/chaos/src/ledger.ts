/**
 * The chaos run's accounting: every acknowledged message (the `sent` its sender got), every
 * message each member saw (live, replayed on rejoin, or fetched from history after a gap), every
 * acknowledged mention and the notifications it became, and per
 * phase (the baseline, then one phase per fault) duplicates, recovered gaps and the longest time a
 * client could not send. Pure data: the final verdict is computed from it and a history listing.
 */
export interface PhaseStats {
  name: string;
  acked: number;
  sendFailures: number;
  /** History requests (gap fills) that failed; what stays missing shows up in `lost`. */
  historyFailures: number;
  /** The same message id shown to one user twice (the client already drops repeats by id). */
  duplicates: number;
  gapsRecovered: number;
  /** Rejoins after a reconnect that the gateway could not replay in full (recovered:false). */
  unrecoveredJoins: number;
  longestSendOutageMs: number;
  /** Time from the fault's start until every process was ready again. */
  recoveryMs?: number;
  /** Time from the fault's start until every client was connected and sending again. */
  clientsBackMs?: number;
  /** Acknowledged in this phase and missed by at least one member at the end. */
  lost: number;
  /** Of `lost`: not in the room's history either (gone from the store). */
  lostFromStore: number;
  /** Acknowledged messages that mention a member (each should become one notification for them). */
  mentions: number;
  /** Of `mentions`: the mentioned user never got a notification for it. */
  mentionsLost: number;
  /** A second notification for one mention, as the user sees it (after the client's de-dup by id). */
  mentionDuplicates: number;
  error?: string;
}

interface Acked {
  id: string;
  room: string;
  seq: number;
  phase: number;
}

interface AckedMention {
  messageId: string;
  mentioned: string;
  phase: number;
}

export class Ledger {
  readonly phases: PhaseStats[] = [];
  private readonly acked = new Map<string, Acked>();
  /** user -> ids seen (a message event or a history page fetched after a gap). */
  private readonly seen = new Map<string, Set<string>>();
  private readonly shown = new Map<string, Set<string>>();
  private readonly members = new Map<string, string[]>();
  private readonly mentions = new Map<string, AckedMention>();
  /** `user messageId` -> the notification id first shown for that mention. */
  private readonly notified = new Map<string, string>();

  constructor() {
    this.startPhase('baseline');
  }

  get current(): PhaseStats {
    return this.phases[this.phases.length - 1];
  }

  startPhase(name: string): PhaseStats {
    const p: PhaseStats = { name, acked: 0, sendFailures: 0, historyFailures: 0, duplicates: 0, gapsRecovered: 0, unrecoveredJoins: 0, longestSendOutageMs: 0, lost: 0, lostFromStore: 0, mentions: 0, mentionsLost: 0, mentionDuplicates: 0 };
    this.phases.push(p);
    return p;
  }

  member(user: string, room: string): void {
    this.members.set(room, [...(this.members.get(room) ?? []), user]);
    this.seen.set(user, new Set());
    this.shown.set(user, new Set());
  }

  ackedMessage(id: string, room: string, seq: number): void {
    this.acked.set(id, { id, room, seq, phase: this.phases.length - 1 });
    this.current.acked++;
  }

  /** An acknowledged message that mentions `mentioned`: it must reach them as one notification. */
  ackedMention(messageId: string, mentioned: string): void {
    const key = `${mentioned} ${messageId}`;
    if (this.mentions.has(key)) return;
    this.mentions.set(key, { messageId, mentioned, phase: this.phases.length - 1 });
    this.current.mentions++;
  }

  /**
   * A mention notification shown to `user` (the client already dropped repeated ids). Another
   * notification id for the same message is a duplicate as the user sees it.
   */
  shownMention(user: string, notificationId: string, messageId: string): void {
    const key = `${user} ${messageId}`;
    const first = this.notified.get(key);
    if (first === undefined) this.notified.set(key, notificationId);
    else this.current.mentionDuplicates++;
  }

  /** Acknowledged mentions whose notification has not been shown yet. */
  get mentionsMissing(): number {
    let missing = 0;
    for (const key of this.mentions.keys()) if (!this.notified.has(key)) missing++;
    return missing;
  }

  sendFailed(): void {
    this.current.sendFailures++;
  }

  historyFailed(): void {
    this.current.historyFailures++;
  }

  /** Index of the current phase: an outage is counted in the phase it started in. */
  get phaseIndex(): number {
    return this.phases.length - 1;
  }

  /** A client could not send for `ms`, from a moment in phase `startedIn` (default: now). */
  sendOutage(ms: number, startedIn = this.phaseIndex): void {
    const phase = this.phases[startedIn] ?? this.current;
    if (ms > phase.longestSendOutageMs) phase.longestSendOutageMs = Math.round(ms);
  }

  /** A message event shown to `user`: a second one with the same id is a duplicate as the user sees it. */
  shownMessage(user: string, id: string): void {
    const shown = this.shown.get(user);
    if (!shown) return;
    if (shown.has(id)) this.current.duplicates++;
    shown.add(id);
    this.seen.get(user)?.add(id);
  }

  /** A message fetched from history after a gap: merged by id, as a page would do. */
  fetchedMessage(user: string, id: string): void {
    this.seen.get(user)?.add(id);
  }

  gapRecovered(): void {
    this.current.gapsRecovered++;
  }

  unrecoveredJoin(): void {
    this.current.unrecoveredJoins++;
  }

  get rooms(): string[] {
    return [...this.members.keys()];
  }

  /**
   * The verdict: an acknowledged message is lost when a member of its room never saw it. `stored`
   * holds each room's message ids as the store lists them at the end, to tell a message gone
   * from the store from one stored but never delivered. Returns the lost ids (for the report).
   */
  settle(stored: Map<string, Set<string>>): { id: string; room: string; seq: number; phase: string; missedBy: number; inStore: boolean }[] {
    const lost = [];
    for (const p of this.phases) {
      p.lost = 0;
      p.lostFromStore = 0;
    }
    for (const a of this.acked.values()) {
      const missedBy = (this.members.get(a.room) ?? []).filter((u) => !this.seen.get(u)?.has(a.id)).length;
      if (missedBy === 0) continue;
      const inStore = stored.get(a.room)?.has(a.id) ?? false;
      const phase = this.phases[a.phase];
      phase.lost++;
      if (!inStore) phase.lostFromStore++;
      lost.push({ id: a.id, room: a.room, seq: a.seq, phase: phase.name, missedBy, inStore });
    }
    for (const p of this.phases) p.mentionsLost = 0;
    for (const [key, m] of this.mentions) if (!this.notified.has(key)) this.phases[m.phase].mentionsLost++;
    return lost;
  }

  /** Acknowledged mentions that never became a notification, for the report. */
  get lostMentions(): { messageId: string; mentioned: string; phase: string }[] {
    return [...this.mentions.entries()].filter(([key]) => !this.notified.has(key)).map(([, m]) => ({ messageId: m.messageId, mentioned: m.mentioned, phase: this.phases[m.phase].name }));
  }

  get totalAcked(): number {
    return this.acked.size;
  }
}
