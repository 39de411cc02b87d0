// Small network probes: is a TCP port answering, is an HTTP endpoint 200, which port is free.
import { connect, createServer } from 'node:net';

export function tcpAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** The HTTP status of a GET, or 0 when nothing answers. */
export async function httpStatus(url, timeoutMs = 2000) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    // Connection refused or timed out: "not answering" is the answer we are asking for.
    if (err instanceof Error) return 0;
    throw err;
  }
}

/** Tries `preferred` first, then lets the OS pick a free port on 127.0.0.1. */
export function freePort(preferred = 0) {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (err) => {
      if (preferred !== 0 && err.code === 'EADDRINUSE') resolve(freePort(0));
      else reject(err);
    });
    srv.listen(preferred, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(addr.port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** host and port of a nats:// or redis:// URL (the first one of a comma-separated NATS list). */
export function endpointOf(url, defaultPort) {
  const first = url.split(',')[0].trim();
  const parsed = new URL(first.includes('://') ? first : `tcp://${first}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port: parsed.port ? Number(parsed.port) : defaultPort };
}

export function isLocalHost(host) {
  return ['127.0.0.1', 'localhost', '::1', '0.0.0.0', ''].includes(host);
}
