#!/usr/bin/env node
// The floor for benchmarks: one process, the `ws` library, no broker, no storage, no validation
// beyond what the scenario needs. It speaks the subset of Relay's client protocol the load test
// uses (welcome, join/joined, send/sent, message, error), so the same virtual users drive it, and
// shows what delivering the scenario costs at the least. Tokens are verified (HS256), the
// broadcast is encoded once per message, `seq` counts per room in memory.
// Env: PORT, JWT_SECRET.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createVerifier } from 'fast-jwt';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT ?? 48200);
const verify = createVerifier({ key: process.env.JWT_SECRET ?? 'dev-secret-change-me', algorithms: ['HS256'], cache: false });
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const rooms = new Map(); // room -> { seq, members: Set<WebSocket> }

const http = createServer((req, res) => res.writeHead(req.url === '/readyz' ? 200 : 404).end());
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 });

http.on('upgrade', (req, socket, head) => {
  let user;
  try {
    user = verify(new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '').sub;
  } catch {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => accept(ws, user));
});

function reply(ws, frame) {
  ws.send(JSON.stringify(frame));
}

function accept(ws, user) {
  const joined = new Set();
  reply(ws, { type: 'welcome', user, session: randomUUID(), gateway: 'ws-floor' });
  ws.on('close', () => {
    for (const room of joined) rooms.get(room)?.members.delete(ws);
  });
  ws.on('message', (data, isBinary) => {
    let f;
    try {
      f = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      return reply(ws, { type: 'error', code: 'BAD_REQUEST', message: 'not JSON' });
    }
    if (f?.type === 'join') {
      if (typeof f.room !== 'string' || !ROOM.test(f.room)) return reply(ws, { type: 'error', ref: f.ref, code: 'BAD_REQUEST', message: 'bad room' });
      let r = rooms.get(f.room);
      if (!r) rooms.set(f.room, (r = { seq: 0, members: new Set() }));
      r.members.add(ws);
      joined.add(f.room);
      return reply(ws, { type: 'joined', ref: f.ref, room: f.room, seq: r.seq });
    }
    if (f?.type === 'send') {
      const r = rooms.get(f.room);
      if (!r || !joined.has(f.room)) return reply(ws, { type: 'error', ref: f.ref, code: 'NOT_JOINED', message: 'join first' });
      if (typeof f.text !== 'string' || f.text.length === 0 || f.text.length > 4000) return reply(ws, { type: 'error', ref: f.ref, code: 'BAD_REQUEST', message: 'bad text' });
      const message = { type: 'message', room: f.room, id: randomUUID(), seq: ++r.seq, from: user, text: f.text, ts: Date.now() };
      reply(ws, { type: 'sent', ref: f.ref, room: f.room, id: message.id, seq: message.seq, ts: message.ts });
      const bytes = Buffer.from(JSON.stringify(message));
      for (const member of r.members) member.send(bytes, { binary: false });
      return;
    }
    reply(ws, { type: 'error', ref: f?.ref, code: 'BAD_REQUEST', message: 'unknown type' });
  });
}

http.listen(port, '127.0.0.1');
const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  http.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
