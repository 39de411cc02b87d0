import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's ephemeral range: outgoing connections (every NATS, Redis and WebSocket client in
 * a test run) take their local ports from it, so a port picked there can be taken by a client
 * between the pick and the bind. Test servers take ports below it instead.
 */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(low) && low > 12000 ? low : 32768;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152; Linux's default low end is safe too.
    return 32768;
  }
}

const HIGH = ephemeralLow();
const LOW = HIGH - 12000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Ports this process has handed out. A port is free until its server binds it, so two picks in a
 * row (a nats-server's client and monitor ports) could otherwise be the same number, about once
 * in 12,000 picks: a few times in a full test run.
 */
const handedOut = new Set<number>();

/** A TCP port that was free a moment ago on 127.0.0.1, outside the ephemeral range, never handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}..${HIGH - 1}`);
}
