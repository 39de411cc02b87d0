import type { RawData, WebSocket } from 'ws';
import { CLOSE_CODES, newId, type ClientFrame, type TokenClaims } from '@relay/contracts';
import { contextFromTraceparent, markActiveSpanFailed, withSpan } from '@relay/service-kit';
import { Connection } from './connection';
import { fromDownstream, gatewayError, GatewayError } from './errors';
import { parseFrame, refOf } from './frame-parser';
import { FRAME_HANDLERS, type FrameHandler, type GatewayContext } from './handlers';
import type { NotificationDelivery } from './notification-delivery';
import { closePaced } from './paced-close';
import type { RoomRegistry } from './room-registry';

export interface GatewayParts extends GatewayContext {
  registry: RoomRegistry;
  notifications: NotificationDelivery;
}

/** A queue key no room name can take (`#` is not allowed in room names). */
const PRESENCE_QUEUE = '#presence';

/**
 * The life of every connection: welcome, frames in (rate limit, parse, dispatch to a handler,
 * errors as error frames), liveness pings, and the cleanup on close.
 */
export class Gateway {
  private pingTimer?: NodeJS.Timeout;
  private draining = false;
  /**
   * The socket listeners, made once and shared by every connection: `ws` calls a listener with
   * the socket as `this`, and the socket carries its Connection. Four closures and a `once`
   * wrapper per connection would cost every idle connection several hundred bytes.
   */
  private readonly listeners: SocketListeners;

  constructor(private readonly parts: GatewayParts) {
    this.listeners = socketListeners(this);
  }

  get connectionCount(): number {
    return this.parts.registry.connectionCount;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** A socket passed auth: register it, say welcome, report it, deliver pending notifications. */
  open(ws: WebSocket, claims: TokenClaims): Connection {
    const { config, registry, metrics, logger, presence, notifications } = this.parts;
    const session = newId();
    const conn = new Connection(ws, claims.sub, session, config, metrics, logger);
    this.parts.auth.attach(conn, claims);
    registry.addConnection(conn);
    metrics.connections.set(registry.connectionCount);
    (ws as OwnedSocket)[CONNECTION] = conn;
    ws.on('message', this.listeners.message);
    ws.on('pong', this.listeners.pong);
    ws.on('ping', this.listeners.ping);
    ws.on('close', this.listeners.close);
    ws.on('error', this.listeners.error);

    const cid = newId();
    conn.sendFrame({ type: 'welcome', user: conn.user, session, gateway: config.instanceId });
    presence.open(session, conn.user, cid);
    notifications.deliverPending(conn, cid).catch((err: unknown) => {
      conn.logger.warn({ err: (err as Error).message, correlationId: cid }, 'pending notifications not delivered; they stay pending');
    });
    return conn;
  }

  /** @internal for the shared socket listeners */
  onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    const { metrics } = this.parts;
    if (isBinary) {
      metrics.framesIn.inc({ type: 'binary' });
      conn.close(CLOSE_CODES.UNSUPPORTED_DATA, 'binary frames are not supported');
      return;
    }
    // ws hands text frames over as one Buffer (binaryType "nodebuffer"); decode without a copy.
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    if (!conn.bucket.take()) {
      metrics.framesIn.inc({ type: 'rate-limited' });
      conn.sendError(gatewayError('GW_RATE_LIMITED'), refOfText(text));
      return;
    }
    const parsed = parseFrame(text);
    if (!parsed.ok) {
      metrics.framesIn.inc({ type: 'invalid' });
      conn.sendError(parsed.error, parsed.ref);
      return;
    }
    metrics.framesIn.inc({ type: parsed.frame.type });
    const frame = parsed.frame;
    // Joins and leaves of one room run one after another, so a reply can never find the room
    // in a state that a later join or leave of the same room made.
    if (frame.type === 'join' || frame.type === 'leave') void conn.inRoomOrder(frame.room, () => this.dispatch(conn, frame));
    // One presence listing at a time per connection: a merged list of a huge room is large.
    else if (frame.type === 'presence') void conn.inRoomOrder(PRESENCE_QUEUE, () => this.dispatch(conn, frame));
    else void this.dispatch(conn, frame);
  }

  /**
   * With tracing on, a frame is handled inside its own span (the child of the client's
   * `traceparent` when it sent one); every request, publish and log line it causes joins that trace.
   */
  private dispatch(conn: Connection, frame: ClientFrame): Promise<void> {
    if (!this.parts.bus.tracing) return this.handle(conn, frame);
    const attributes = { 'relay.frame': frame.type, 'enduser.id': conn.user };
    return withSpan(`ws ${frame.type}`, 'server', attributes, () => this.handle(conn, frame), contextFromTraceparent(frame.traceparent));
  }

  private async handle(conn: Connection, frame: ClientFrame): Promise<void> {
    const correlationId = newId();
    const scope = { conn, correlationId, receivedAt: performance.now() };
    const handler = FRAME_HANDLERS[frame.type] as FrameHandler<ClientFrame>;
    try {
      await handler(this.parts, scope, frame);
    } catch (err) {
      const gwErr = err instanceof GatewayError ? err : fromDownstream(err, 'gateway');
      if (this.parts.bus.tracing) markActiveSpanFailed(gwErr.code);
      if (gwErr.code === 'GW_INTERNAL') conn.logger.error({ err, correlationId, frame: frame.type }, 'frame handler failed');
      else conn.logger.debug({ code: gwErr.code, correlationId, frame: frame.type, why: gwErr.message }, 'frame refused');
      if (!conn.isClosing) conn.sendError(gwErr, frame.ref);
    }
  }

  /** @internal for the shared socket listeners; `ws` emits close once per socket. */
  onClose(conn: Connection): void {
    const { registry, rooms, metrics, presence } = this.parts;
    conn.markClosed();
    this.parts.auth.detach(conn);
    for (const room of conn.rooms.keys()) rooms.removeMember(room, conn);
    conn.rooms.clear();
    registry.removeConnection(conn);
    metrics.connections.set(registry.connectionCount);
    presence.close(conn.session);
  }

  /** Pings every connection; one that did not answer the previous ping is cut. */
  startPings(intervalMs: number): void {
    this.pingTimer = setInterval(() => {
      for (const conn of this.parts.registry.connections()) {
        if (!conn.alive) {
          conn.logger.info('no pong: dropping the connection');
          this.parts.metrics.closes.inc({ code: 'no-pong' });
          conn.ws.terminate();
          continue;
        }
        conn.alive = false;
        // Not behind held ephemeral frames: the ping goes out now.
        conn.releaseHeldWrites();
        conn.ws.ping();
      }
    }, intervalMs);
    this.pingTimer.unref();
  }

  /**
   * Graceful stop: no new connections, every socket closed with 1012 (clients reconnect
   * elsewhere and recover with `since`), the closes spread over `spreadMs` (paced-close.ts),
   * then waiting at most `graceMs` for them to go.
   */
  async drain(graceMs: number, spreadMs = 0): Promise<void> {
    this.draining = true;
    clearInterval(this.pingTimer);
    this.parts.presence.stop();
    const conns = [...this.parts.registry.connections()];
    const closed = conns.map((c) => new Promise<void>((resolve) => (c.ws.readyState === c.ws.CLOSED ? resolve() : c.ws.once('close', () => resolve()))));
    await closePaced(conns, (conn) => conn.close(CLOSE_CODES.GOING_AWAY_RESTART, 'gateway restarting'), spreadMs);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const conn of this.parts.registry.connections()) conn.ws.terminate();
  }
}

/** Where a socket keeps its Connection, for the shared listeners. */
const CONNECTION = Symbol('relay.connection');
type OwnedSocket = WebSocket & { [CONNECTION]: Connection };

interface SocketListeners {
  message(this: WebSocket, data: RawData, isBinary: boolean): void;
  pong(this: WebSocket): void;
  ping(this: WebSocket): void;
  close(this: WebSocket): void;
  error(this: WebSocket, err: Error): void;
}

function socketListeners(gateway: Gateway): SocketListeners {
  const connOf = (ws: WebSocket) => (ws as OwnedSocket)[CONNECTION];
  return {
    message(data, isBinary) {
      gateway.onMessage(connOf(this), data, isBinary);
    },
    pong() {
      connOf(this).alive = true;
    },
    // ws has just written its automatic pong: it must not wait behind held ephemeral frames.
    ping() {
      connOf(this).releaseHeldWrites();
    },
    close() {
      gateway.onClose(connOf(this));
    },
    // Socket errors (a client gone mid-frame, a frame over the limit: ws has already sent its
    // close code and closes the socket itself) are routine.
    error(err) {
      connOf(this).logger.debug({ err: err.message }, 'websocket error');
    },
  };
}

/** The ref of a frame refused before parsing (rate limit): only if it is cheap to find. */
function refOfText(text: string): string | undefined {
  if (text.length > 4096) return undefined;
  try {
    return refOf(JSON.parse(text));
  } catch (err) {
    // Not JSON: there is no ref to echo; the frame is refused either way.
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}
