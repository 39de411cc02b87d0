/**
 * The tests' NATS credentials come from the same generator as the local start command and
 * docker-compose (tools/nats-auth/nats-auth.mjs, run as a process so this library stays free of
 * the workspace's other libraries): one nkey user per bus role with the catalog's permissions.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface NatsAuthFiles {
  /** The nats-server configuration fragment with the users and permissions. */
  confPath: string;
  /** Per bus role of the contract catalog (BUS_ROLES): where its seed is, its public key and inbox. */
  roles: Record<string, { seedFile: string; publicKey: string; inboxPrefix: string }>;
  /** Set when anonymous connections act as the unrestricted test user. */
  harnessUser?: string;
}

const GENERATOR = resolve(__dirname, '../../../tools/nats-auth/nats-auth.mjs');

/** Runs the generator into `dir` (new keys for every role; an existing set there is replaced). */
export function generateNatsAuth(dir: string, harness: boolean): NatsAuthFiles {
  const args = [GENERATOR, '--out', dir, ...(harness ? ['--harness'] : [])];
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as NatsAuthFiles;
}

/** One role's credentials; an unknown role is a test bug, named in the error. */
export function roleCredentials(auth: NatsAuthFiles, role: string): NatsAuthFiles['roles'][string] {
  const creds = auth.roles[role];
  if (!creds) throw new Error(`no NATS credentials for role "${role}"; roles: ${Object.keys(auth.roles).join(', ')}`);
  return creds;
}

/** An nkey seed file's contents, as nats.js's nkeyAuthenticator wants them. */
export function readSeed(path: string): Uint8Array {
  return new TextEncoder().encode(readFileSync(path, 'utf8').trim());
}
