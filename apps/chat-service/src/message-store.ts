import { newId, type ChatMessage } from '@relay/contracts';
import { tracingActive } from '@relay/bus';
import { traceRedisScript, type Redis } from '@relay/service-kit';
import { chatError, isChatError } from './errors';
import { APPEND_MESSAGE_KEYS, APPEND_MESSAGE_LUA } from './lua/append-message';
import { ROOM_POSITION_KEYS, ROOM_POSITION_LUA } from './lua/room-position';
import { RedisBoot } from './redis-boot';
import { clientMsgIdKey, roomKeys } from './room-keys';

export interface AppendInput {
  room: string;
  from: string;
  text: string;
  clientMsgId?: string;
  /** Made by the caller so a test can pin them; ULID and server time in production. */
  id: string;
  ts: number;
}

export interface AppendResult {
  /** The stored message; for a duplicate, only id, seq and ts are the stored ones. */
  message: ChatMessage;
  duplicate: boolean;
}

export interface MessageStoreOptions {
  historyMaxPerRoom: number;
  clientMsgIdTtlSec: number;
  /** Observes the append script's duration in seconds (metrics). */
  observeAppend?: (seconds: number) => void;
}

/** Where a room stands: its latest seq (0 when empty) within its current epoch. */
export interface RoomPosition {
  seq: number;
  epoch: string;
}

/** The ioredis client with the scripts registered by defineCommand. */
interface ScriptedRedis extends Redis {
  chatAppendMessage(k1: string, k2: string, k3: string, k4: string, ...argv: (string | number)[]): Promise<[number, string, string]>;
  chatRoomPosition(k1: string, k2: string, k3: string, candidate: string, boot: string): Promise<[number, string]>;
}

/**
 * The rooms' messages in Redis: per-room seq, capped history and clientMsgId records.
 * Every Redis failure becomes CHAT_STORE_UNAVAILABLE (DEPENDENCY_DOWN), so callers answer
 * fast and retryable instead of hanging or crashing.
 */
export class MessageStore {
  private readonly redis: ScriptedRedis;
  /** With tracing on, the append script runs in a span of its own (the Redis hop of a send's trace). */
  private readonly traced = tracingActive();
  private readonly boot: RedisBoot;

  constructor(
    redis: Redis,
    private readonly opts: MessageStoreOptions,
  ) {
    // Registered once per client: ioredis then sends EVALSHA and reloads the script by itself
    // when a restarted Redis answers NOSCRIPT.
    if (!('chatAppendMessage' in redis)) {
      redis.defineCommand('chatAppendMessage', { numberOfKeys: APPEND_MESSAGE_KEYS, lua: APPEND_MESSAGE_LUA });
      redis.defineCommand('chatRoomPosition', { numberOfKeys: ROOM_POSITION_KEYS, lua: ROOM_POSITION_LUA });
    }
    this.redis = redis as ScriptedRedis;
    this.boot = new RedisBoot(redis);
  }

  /** Stores a message (or finds the earlier send with the same clientMsgId), atomically. */
  async append(input: AppendInput): Promise<AppendResult> {
    const keys = roomKeys(input.room);
    // The key is always named (same hash tag) so the script's key count never varies.
    const cmidKey = clientMsgIdKey(input.room, input.from, input.clientMsgId ?? '-');
    const body = JSON.stringify({ room: input.room, id: input.id, from: input.from, text: input.text, ts: input.ts });
    const jsonWithoutSeq = `${body.slice(0, -1)},"seq":`;
    const started = performance.now();
    const append = async () =>
      this.redis.chatAppendMessage(
        keys.seq,
        keys.log,
        cmidKey,
        keys.epoch,
        jsonWithoutSeq,
        input.id,
        input.ts,
        this.opts.historyMaxPerRoom,
        this.opts.clientMsgIdTtlSec,
        input.clientMsgId === undefined ? 0 : 1,
        await this.boot.id(),
      );
    const [duplicate, record, epoch] = await this.call(this.traced ? () => traceRedisScript('chatAppendMessage', append) : append);
    this.opts.observeAppend?.((performance.now() - started) / 1000);
    const stored = parseRecord(record);
    const message: ChatMessage = { room: input.room, from: input.from, text: input.text, ...stored };
    if (epoch) message.epoch = epoch;
    return { message, duplicate: duplicate === 1 };
  }

  /** The room's latest seq (0 when nothing was ever stored) and its epoch, created if missing. */
  async position(room: string): Promise<RoomPosition> {
    const keys = roomKeys(room);
    const [seq, epoch] = await this.call(async () => this.redis.chatRoomPosition(keys.seq, keys.log, keys.epoch, newId(), await this.boot.id()));
    return { seq: Number(seq), epoch };
  }

  /**
   * Where each room stands, read only (no epoch is created): one pipeline of one MGET per room
   * (each room's keys share its hash tag, so this works on a Redis Cluster too).
   */
  async positions(rooms: string[]): Promise<Array<{ room: string; seq: number; epoch?: string }>> {
    const results = await this.call(async () => {
      const pipeline = this.redis.pipeline();
      for (const room of rooms) {
        const keys = roomKeys(room);
        pipeline.mget(keys.seq, keys.epoch);
      }
      return (await pipeline.exec()) ?? [];
    });
    return rooms.map((room, i) => {
      const [err, value] = results[i] ?? [new Error('no reply'), null];
      if (err) throw chatError('CHAT_STORE_UNAVAILABLE', undefined, err);
      const [seq, epoch] = value as [string | null, string | null];
      const position: { room: string; seq: number; epoch?: string } = { room, seq: seq === null ? 0 : Number(seq) };
      const id = epoch?.split('|')[0];
      if (id) position.epoch = id;
      return position;
    });
  }

  /** Up to `limit` messages with seq < before (all when absent), ascending. */
  async before(room: string, before: number | undefined, limit: number): Promise<ChatMessage[]> {
    const max = before === undefined ? '+inf' : `(${before}`;
    const raw = await this.call(() => this.redis.zrevrangebyscore(roomKeys(room).log, max, '-inf', 'LIMIT', 0, limit));
    return raw.reverse().map(parseMessage);
  }

  /** The stored message with this seq and id; undefined when trimmed or the seq now holds another (a new epoch). */
  async stored(room: string, seq: number, id: string): Promise<ChatMessage | undefined> {
    return (await this.range(room, seq, seq)).find((m) => m.id === id);
  }

  /** Messages with from <= seq <= to, ascending (fewer when trimmed from the history). */
  async range(room: string, from: number, to: number): Promise<ChatMessage[]> {
    const raw = await this.call(() => this.redis.zrangebyscore(roomKeys(room).log, from, to));
    return raw.map(parseMessage);
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (isChatError(err)) throw err;
      // The Redis error (with addresses) stays in the cause for the logs, not in the reply.
      throw chatError('CHAT_STORE_UNAVAILABLE', undefined, err);
    }
  }
}

function parseRecord(record: string): { id: string; seq: number; ts: number } {
  const [id, seq, ts] = record.split('|');
  const parsed = { id, seq: Number(seq), ts: Number(ts) };
  if (!id || !Number.isInteger(parsed.seq) || !Number.isInteger(parsed.ts)) {
    throw chatError('CHAT_STORE_CORRUPT', `unreadable clientMsgId record "${record.slice(0, 80)}"`);
  }
  return parsed;
}

function parseMessage(raw: string): ChatMessage {
  try {
    return JSON.parse(raw) as ChatMessage;
  } catch (err) {
    throw chatError('CHAT_STORE_CORRUPT', 'unreadable message in the room history', err);
  }
}
