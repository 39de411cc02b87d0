import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { newId } from '@relay/contracts';
import { createLogger, createServiceRuntime, type ServiceRuntime } from '@relay/service-kit';
import type { GatewayConfig } from './config';
import { devTokenRoute } from './dev-token-route';
import { Gateway } from './gateway';
import { fetchHistoryRange } from './history-range';
import { createGatewayMetrics } from './metrics';
import { NotificationDelivery } from './notification-delivery';
import { PresenceReporter } from './presence-reporter';
import { RoomRegistry } from './room-registry';
import { RoomSubscriptions } from './room-subscriptions';
import { createServiceClients } from './service-clients';
import { wsRoute } from './ws-route';

export interface GatewayApp extends ServiceRuntime {
  gateway: Gateway;
  registry: RoomRegistry;
  rooms: RoomSubscriptions;
  presence: PresenceReporter;
  notifications: NotificationDelivery;
}

/** Builds the gateway without listening, so tests can run it in-process. */
export async function buildApp(config: GatewayConfig): Promise<GatewayApp> {
  const logger = createLogger({ service: config.service, instanceId: config.instanceId, level: config.logLevel, pretty: config.logPretty });
  // One Fastify for WebSocket, dev tokens, the web page and the health routes: one port.
  const http = Fastify({
    loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }),
    genReqId: () => newId(),
  }) as unknown as FastifyInstance;
  const runtime = await createServiceRuntime({ config, useRedis: false, logger, http });
  const metrics = createGatewayMetrics(runtime.metrics);
  const services = createServiceClients(
    runtime.bus,
    { requestTimeoutMs: config.requestTimeoutMs, breakerResetMs: config.breakerResetMs },
    { logger, metrics: runtime.metrics, registry: runtime.breakers },
  );
  const registry = new RoomRegistry();
  const rooms = new RoomSubscriptions({
    bus: runtime.bus,
    registry,
    metrics,
    logger,
    gapWaitMs: config.gapWaitMs,
    fetchRange: (room, from, to) => fetchHistoryRange(services, room, from, to),
  });
  const presence = new PresenceReporter({
    gateway: config.instanceId,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    services,
    logger,
    maxPayload: () => runtime.bus.maxPayloadBytes,
    syncChunkBytes: config.presenceSyncChunkBytes,
  });
  const notifications = new NotificationDelivery({ bus: runtime.bus, registry, services, logger });
  const gateway = new Gateway({ config, bus: runtime.bus, rooms, services, presence, metrics, logger, registry, notifications });

  await http.register(fastifyWebsocket, {
    options: { maxPayload: config.maxFrameBytes },
    // Socket errors (a client gone mid-frame, a frame over the limit: ws has already sent
    // its close code) are routine; ws closes the socket itself.
    errorHandler: (err, _socket, req) => req.log.debug({ err: err.message }, 'websocket error'),
    // Runs inside http.close(), i.e. in the runtime's first shutdown step: sockets close with
    // 1012 before NATS drains.
    preClose: async () => {
      await gateway.drain(Math.max(100, Math.floor(config.shutdownTimeoutMs / 2)));
    },
  });
  await http.register(wsRoute, { gateway, secret: config.jwtSecret });
  if (config.devTokens) await http.register(devTokenRoute, { secret: config.jwtSecret });
  if (existsSync(config.webRoot)) {
    await http.register(fastifyStatic, { root: config.webRoot, prefix: '/' });
    logger.info({ webRoot: config.webRoot }, 'serving the web page');
  }

  gateway.startPings(config.pingIntervalMs);
  presence.start();
  return Object.assign(runtime, { gateway, registry, rooms, presence, notifications });
}
