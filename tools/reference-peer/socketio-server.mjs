#!/usr/bin/env node
// The reference peer for benchmarks: the load test's scenario written the idiomatic Socket.IO way
// (4.8, WebSocket transport, @socket.io/redis-adapter 8.3 so that rooms span instances), to
// compare Relay's cost per delivered message with a well-known stack in the same run.
// Scenario: the handshake carries an HS256 token (verified like Relay's gateway does), `join`
// puts the socket in a room and acks, `send` broadcasts {room, id, from, text, ts} to the room
// (sender included, on every instance, through Redis pub/sub) and acks {id, ts} to the sender.
// Not a product: nothing is stored. Env: PORT, REDIS_URL, JWT_SECRET, INSTANCE_ID.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import { createVerifier } from 'fast-jwt';
import Redis from 'ioredis';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 48100);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:48379';
const verify = createVerifier({ key: process.env.JWT_SECRET ?? 'dev-secret-change-me', algorithms: ['HS256'], cache: false });
const ROOM = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TEXT = 4000;

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
const http = createServer((req, res) => {
  if (req.url === '/readyz') return res.writeHead(pub.status === 'ready' ? 200 : 503).end();
  res.writeHead(404).end();
});
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false, adapter: createAdapter(pub, sub) });

io.use((socket, next) => {
  try {
    socket.data.user = verify(String(socket.handshake.auth?.token ?? '')).sub;
    next();
  } catch {
    next(new Error('unauthorized'));
  }
});

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    if (typeof ack !== 'function') return;
    if (typeof room !== 'string' || !ROOM.test(room)) return ack({ error: 'BAD_REQUEST' });
    socket.join(room);
    ack({ room });
  });
  socket.on('send', (msg, ack) => {
    if (typeof ack !== 'function') return;
    const room = msg?.room;
    const text = msg?.text;
    if (typeof room !== 'string' || !socket.rooms.has(room)) return ack({ error: 'NOT_JOINED' });
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT) return ack({ error: 'BAD_REQUEST' });
    const message = { room, id: randomUUID(), from: socket.data.user, text, ts: Date.now() };
    io.to(room).emit('message', message);
    ack({ id: message.id, ts: message.ts });
  });
});

http.listen(port, '127.0.0.1');
const stop = () => io.close(() => Promise.all([pub.quit(), sub.quit()]).finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
