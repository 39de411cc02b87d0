import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SpawnWorker } from '../src/coordinator';
import type { FromWorker, ToWorker } from '../src/messages';
import { runWorker } from '../src/worker';

/** Faults a fake cluster can inject, to prove the load tester notices them. */
export interface Faults {
  /** Drop every Nth delivery. */
  dropEvery?: number;
  /** Deliver every Nth delivery twice. */
  duplicateEvery?: number;
  /** Answer every Nth send with an error frame of this code instead of storing it. */
  refuseEvery?: number;
  /** Refuse every Nth WebSocket upgrade with HTTP 401 (a token the gateway does not accept). */
  refuseUpgradeEvery?: number;
}

interface Member {
  ws: WebSocket;
  rooms: Set<string>;
}

/**
 * A tiny stand-in for the real cluster: N gateways (WebSocket + POST /auth/dev-token) sharing one
 * in-memory "chat service" with a seq per room, so the tool can be tested without the stack.
 */
export class FakeCluster {
  private readonly servers: Server[] = [];
  private readonly members = new Set<Member>();
  private readonly seqs = new Map<string, number>();
  private deliveries = 0;
  private sends = 0;
  private upgrades = 0;
  readonly urls: string[] = [];

  constructor(private readonly faults: Faults = {}) {}

  async start(gateways: number): Promise<this> {
    for (let i = 0; i < gateways; i++) {
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          if (req.method !== 'POST' || req.url !== '/auth/dev-token') {
            res.writeHead(404).end();
            return;
          }
          const { user } = JSON.parse(body) as { user: string };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `fake.${user}` }));
        });
      });
      const wss = new WebSocketServer({
        server,
        path: '/ws',
        verifyClient: (_info, done) => done(!this.faults.refuseUpgradeEvery || ++this.upgrades % this.faults.refuseUpgradeEvery !== 0, 401),
      });
      wss.on('connection', (ws, req) => this.accept(ws, new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '', `gw${i}`));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      this.servers.push(server);
      this.urls.push(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`);
    }
    return this;
  }

  async close(): Promise<void> {
    for (const m of this.members) m.ws.terminate();
    await Promise.all(this.servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }

  private accept(ws: WebSocket, token: string, gateway: string): void {
    const user = token.replace(/^fake\./, '');
    const member: Member = { ws, rooms: new Set() };
    this.members.add(member);
    ws.on('close', () => this.members.delete(member));
    ws.send(JSON.stringify({ type: 'welcome', user, session: `s-${user}`, gateway }));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString()) as { type: string; ref?: string; room: string; text: string };
      if (f.type === 'join') {
        member.rooms.add(f.room);
        ws.send(JSON.stringify({ type: 'joined', ref: f.ref, room: f.room, seq: this.seqs.get(f.room) ?? 0 }));
      } else if (f.type === 'send') {
        this.sends++;
        if (this.faults.refuseEvery && this.sends % this.faults.refuseEvery === 0) {
          ws.send(JSON.stringify({ type: 'error', ref: f.ref, code: 'SERVICE_UNAVAILABLE', message: 'fake refusal' }));
          return;
        }
        const seq = (this.seqs.get(f.room) ?? 0) + 1;
        this.seqs.set(f.room, seq);
        const ts = Date.now();
        ws.send(JSON.stringify({ type: 'sent', ref: f.ref, room: f.room, id: `m${seq}`, seq, ts }));
        const frame = JSON.stringify({ type: 'message', room: f.room, id: `m${seq}`, seq, from: user, text: f.text, ts });
        for (const m of this.members) {
          if (!m.rooms.has(f.room)) continue;
          this.deliveries++;
          if (this.faults.dropEvery && this.deliveries % this.faults.dropEvery === 0) continue;
          m.ws.send(frame);
          if (this.faults.duplicateEvery && this.deliveries % this.faults.duplicateEvery === 0) m.ws.send(frame);
        }
      }
    });
  }
}

/** Workers in this process, wired like forked ones (messages cloned, delivered asynchronously). */
export function inProcessWorkers(): SpawnWorker {
  return () => {
    const toWorker = new EventEmitter();
    const fromWorker = new EventEmitter();
    runWorker({
      send: (msg: FromWorker, done) =>
        setImmediate(() => {
          fromWorker.emit('message', structuredClone(msg));
          done?.();
        }),
      onMessage: (handler) => toWorker.on('message', handler),
      close: () => setImmediate(() => fromWorker.emit('exit', 0)),
    });
    return {
      send: (msg: ToWorker) => setImmediate(() => toWorker.emit('message', structuredClone(msg))),
      onMessage: (handler) => fromWorker.on('message', handler),
      onExit: (handler) => fromWorker.on('exit', handler),
      kill: () => undefined,
    };
  };
}
