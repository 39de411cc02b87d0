import { readFileSync } from 'node:fs';
import { connect, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from 'nats';
import { ConfigError } from './config-error';
import type { NatsAuthSettings, TlsFiles } from './connection-settings';
import type { Logger } from './logger';

export interface NatsOptions {
  url: string;
  /** Shown by `nats server report connections`: which process this is. */
  name: string;
  logger: Logger;
  /** This service's NATS user; none connects anonymously (local servers without authorization). */
  auth?: NatsAuthSettings;
  tls?: TlsFiles;
  /**
   * Where request replies arrive. Each role's permissions allow only its own inbox subtree
   * (see inboxPrefixFor in the contracts), so the service must use that prefix.
   */
  inboxPrefix?: string;
}

/** The seed file is read at every (re)connect, so a rotated key is picked up without a restart. */
function readSeed(path: string): Uint8Array {
  try {
    return new TextEncoder().encode(readFileSync(path, 'utf8').trim());
  } catch (err) {
    throw new ConfigError(`NATS_NKEY_SEED_FILE: cannot read ${path} (${(err as Error).message})`);
  }
}

/** The credential and TLS part of nats.js's connect options. */
export function natsSecurityOptions(opts: Pick<NatsOptions, 'auth' | 'tls' | 'inboxPrefix'>): Partial<ConnectionOptions> {
  const out: Partial<ConnectionOptions> = {};
  const auth = opts.auth;
  if (auth?.nkeySeedFile) {
    const file = auth.nkeySeedFile;
    readSeed(file); // fail at start-up with the setting's name, not at the first handshake
    out.authenticator = nkeyAuthenticator(() => readSeed(file));
  } else if (auth?.user) {
    out.user = auth.user;
    out.pass = auth.password;
  }
  if (opts.tls) {
    // nats.js reads these files itself; an empty object still turns TLS on (system CAs).
    out.tls = { caFile: opts.tls.caFile, certFile: opts.tls.certFile, keyFile: opts.tls.keyFile };
  }
  if (opts.inboxPrefix) out.inboxPrefix = opts.inboxPrefix;
  return out;
}

/**
 * Connects once and then reconnects forever: a NATS outage degrades the service (readiness
 * goes false, requests fail fast through breakers) but never ends the process.
 */
export async function connectNats(opts: NatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    ...natsSecurityOptions(opts),
    servers: opts.url.split(','),
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    pingInterval: 5000,
    maxPingOut: 3,
    // Without this every request builds an Error just to keep the caller's stack for a
    // possible timeout: about 4 % of the gateway's CPU under load, for a stack we never read.
    noAsyncTraces: true,
  });
  opts.logger.info({ server: nc.getServer() }, 'nats connected');
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'pingTimer') continue;
      const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'info';
      opts.logger[level]({ nats: s.type, data: typeof s.data === 'string' ? s.data : undefined }, 'nats status');
    }
  })();
  return nc;
}

/** Usable means connected right now, not closed, draining or between reconnects. */
export function natsUsable(nc: NatsConnection | undefined): boolean {
  if (!nc || nc.isClosed() || nc.isDraining()) return false;
  // `protocol.connected` is the live socket state; nats.js exposes no public getter for it.
  const proto = (nc as unknown as { protocol?: { connected?: boolean } }).protocol;
  return proto?.connected !== false;
}
