// Types of index.cjs (a CommonJS module so .mjs tools and shell scripts use it without a build).
export type ServerKind = 'nats' | 'redis' | 'prometheus';

export interface ServerSpec {
  binary: string;
  fallbackPaths: string[];
  defaultPort: number;
  envName: string;
  install: string[];
}

export interface ServerArgsOptions {
  port: number;
  /** Working folder: JetStream store (nats) or working files (redis). */
  dir?: string;
  /** nats only: the monitoring port (/healthz, /connz, /subsz). */
  monitorPort?: number;
  /** nats only: JetStream on, stored in `dir`. */
  jetstream?: boolean;
  /** prometheus only: its configuration file (`dir` is its storage). */
  configFile?: string;
  /** redis only: AOF on, fsync every second (kept in `dir`); otherwise nothing is persisted. */
  durable?: boolean;
}

export declare const SERVERS: Readonly<Record<ServerKind, ServerSpec>>;
export declare function findServerBinary(kind: ServerKind): string | undefined;
export declare function missingBinaryMessage(kind: ServerKind): string;
export declare function requireServerBinary(kind: ServerKind): string;
export declare function serverArgs(kind: ServerKind, opts: ServerArgsOptions): string[];
