/**
 * How a service proves who it is to NATS and Redis and how it protects the connection: NATS
 * credentials (an nkey seed file, or a user and password), TLS files for both, and the
 * production refusals (a NATS or Redis connection without credentials). Read once from the
 * environment with the rest of BaseConfig; every service gets the same rules from here.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';

type Env = Record<string, string | undefined>;

/** PEM file paths. A CA alone verifies the server; cert and key add a client certificate. */
export interface TlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface NatsAuthSettings {
  /** nkey seed (`SU...`) of this service's NATS user: NATS_NKEY_SEED_FILE. */
  nkeySeedFile?: string;
  user?: string;
  password?: string;
}

export interface ConnectionSettings {
  natsAuth: NatsAuthSettings;
  /** Set when NATS_TLS_* is given or NATS_URL starts with tls://. */
  natsTls?: TlsFiles;
  /** Set when REDIS_TLS_* is given or REDIS_URL starts with rediss://. */
  redisTls?: TlsFiles;
}

/** An unset or empty variable is "not given". */
function given(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The three files of one TLS client; the names say which variables they came from, for errors. */
function tlsFiles(files: TlsFiles, names: { cert: string; key: string }, urlSaysTls: boolean): TlsFiles | undefined {
  if (Boolean(files.certFile) !== Boolean(files.keyFile)) {
    throw new ConfigError(`${names.cert} and ${names.key} must be set together (a client certificate needs its key)`);
  }
  return files.caFile || files.certFile || urlSaysTls ? files : undefined;
}

// Every variable is read by its literal name, so the configuration-doc check finds it.
export function readConnectionSettings(env: Env, natsUrl: string, redisUrl: string): ConnectionSettings {
  const natsAuth: NatsAuthSettings = {
    nkeySeedFile: given(env.NATS_NKEY_SEED_FILE),
    user: given(env.NATS_USER),
    password: given(env.NATS_PASSWORD),
  };
  if (natsAuth.nkeySeedFile && natsAuth.user) throw new ConfigError('set NATS_NKEY_SEED_FILE or NATS_USER, not both');
  if (Boolean(natsAuth.user) !== Boolean(natsAuth.password)) throw new ConfigError('NATS_USER and NATS_PASSWORD must be set together');
  const natsTls = tlsFiles(
    { caFile: given(env.NATS_TLS_CA_FILE), certFile: given(env.NATS_TLS_CERT_FILE), keyFile: given(env.NATS_TLS_KEY_FILE) },
    { cert: 'NATS_TLS_CERT_FILE', key: 'NATS_TLS_KEY_FILE' },
    /^tls:\/\//i.test(natsUrl),
  );
  const redisTls = tlsFiles(
    { caFile: given(env.REDIS_TLS_CA_FILE), certFile: given(env.REDIS_TLS_CERT_FILE), keyFile: given(env.REDIS_TLS_KEY_FILE) },
    { cert: 'REDIS_TLS_CERT_FILE', key: 'REDIS_TLS_KEY_FILE' },
    /^rediss:\/\//i.test(redisUrl),
  );
  return { natsAuth, natsTls, redisTls };
}

/** `nats://user:pass@host` carries credentials too; nats.js reads them from the URL. */
function urlHasCredentials(url: string): boolean {
  return url.split(',').every((u) => /^[a-z]+:\/\/[^/@]+@/i.test(u.trim()));
}

/**
 * A Redis URL with a password (`redis://:pass@host`, `redis://user:pass@host`, and the same for
 * the rediss, +sentinel and +cluster forms, whose host lists `new URL` cannot parse).
 */
function redisUrlHasPassword(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:[^@/]+@/i.test(url);
}

/**
 * With NODE_ENV=production a service refuses to start on a bus or store anyone on the network
 * could use as it: NATS without credentials, Redis without a password. The message names the
 * setting to fix.
 */
export function refuseUnsafeConnections(opts: {
  production: boolean;
  natsUrl: string;
  redisUrl: string;
  natsAuth: NatsAuthSettings;
  useRedis: boolean;
}): void {
  if (!opts.production) return;
  const { natsAuth } = opts;
  if (!natsAuth.nkeySeedFile && !natsAuth.user && !urlHasCredentials(opts.natsUrl)) {
    throw new ConfigError(
      'NATS_URL has no credentials: set NATS_NKEY_SEED_FILE (or NATS_USER and NATS_PASSWORD) to run with NODE_ENV=production',
    );
  }
  if (opts.useRedis && !redisUrlHasPassword(opts.redisUrl)) {
    throw new ConfigError('REDIS_URL has no password: use redis://user:password@host:port (an ACL user) to run with NODE_ENV=production');
  }
}

/** Reads one PEM file named by a setting; a missing file is a ConfigError naming the setting. */
export function readPem(path: string | undefined, setting: string): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${path} (${(err as Error).message})`);
  }
}
