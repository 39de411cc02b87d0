/**
 * One room seen through a RelayClient: its events only (`message`, `member`, `typing`, `joined`,
 * `gap`) and its requests without repeating the room name.
 */
import type { ChatMessage, MemberServerFrame, MessageServerFrame, TypingEventFrame } from './frames';
import type { RelayClient } from './relay-client';
import type { GapInfo, HistoryOptions, JoinResult, RequestOptions, SendOptions, SentResult } from './types';

export interface RoomEvents {
  message: [MessageServerFrame];
  member: [MemberServerFrame];
  typing: [TypingEventFrame];
  joined: [JoinResult];
  gap: [GapInfo];
}

export class RoomHandle {
  constructor(
    private readonly client: RelayClient,
    readonly name: string,
  ) {}

  /** Listens to this room's events only; returns the function that stops listening. */
  on<K extends keyof RoomEvents>(event: K, fn: (...args: RoomEvents[K]) => void): () => void {
    return this.client.on(event, ((payload: { room: string }) => {
      if (payload.room === this.name) (fn as (p: unknown) => void)(payload);
    }) as never);
  }

  join(opts?: RequestOptions): Promise<JoinResult> {
    return this.client.join(this.name, opts);
  }

  leave(opts?: RequestOptions): Promise<void> {
    return this.client.leave(this.name, opts);
  }

  send(text: string, opts?: SendOptions): Promise<SentResult> {
    return this.client.send(this.name, text, opts);
  }

  history(opts?: HistoryOptions): Promise<ChatMessage[]> {
    return this.client.history(this.name, opts);
  }

  presence(opts?: RequestOptions): Promise<string[]> {
    return this.client.presence(this.name, opts);
  }

  typing(): boolean {
    return this.client.typing(this.name);
  }
}
