/**
 * The live ops page: `GET /ops` is the page (no data in it), `GET /ops/api/snapshot` the data it
 * polls, for OPS_ADMINS users only: this gateway's connections and busiest rooms, and the
 * cluster's gateways, rates, send latency, breakers and presence from Prometheus. Registered
 * only when OPS_ADMINS names somebody, so by default both routes are 404.
 */
import type { FastifyInstance } from 'fastify';
import type { TokenVerifier } from '../auth';
import type { RoomRegistry } from '../room-registry';
import { ClusterFiguresReader } from './cluster-figures';
import { opsAuthorizer, refuse } from './ops-auth';
import { OPS_PAGE_HTML } from './ops-page';

/** Rooms listed in "busiest rooms": enough for a glance, small enough for every 2 s. */
const TOP_ROOMS = 10;

export interface OpsRoutesOptions {
  instanceId: string;
  /** The gateway's own token check (same keys, algorithms, aud/iss rules as the WebSocket). */
  verifyToken: TokenVerifier;
  admins: readonly string[];
  prometheusUrl: string;
  registry: RoomRegistry;
}

export function topRooms(registry: RoomRegistry, n: number): { room: string; members: number }[] {
  const top: { room: string; members: number }[] = [];
  for (const [room, members] of registry.roomSizes()) {
    if (top.length < n || members > top[top.length - 1].members) {
      top.push({ room, members });
      top.sort((a, b) => b.members - a.members || a.room.localeCompare(b.room));
      if (top.length > n) top.pop();
    }
  }
  return top;
}

export async function opsRoutes(app: FastifyInstance, opts: OpsRoutesOptions): Promise<void> {
  if (opts.admins.length === 0) return;
  const authorize = opsAuthorizer(opts.verifyToken, opts.admins);
  const cluster = new ClusterFiguresReader(opts.prometheusUrl);

  app.get('/ops', async (_req, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    return OPS_PAGE_HTML;
  });

  app.get('/ops/api/snapshot', async (req, reply) => {
    const decision = await authorize(req);
    if (!decision.ok) return refuse(reply, decision);
    reply.header('cache-control', 'no-store');
    return {
      gateway: opts.instanceId,
      at: Date.now(),
      local: { connections: opts.registry.connectionCount, rooms: opts.registry.roomCount, topRooms: topRooms(opts.registry, TOP_ROOMS) },
      cluster: await cluster.read(),
    };
  });
}
