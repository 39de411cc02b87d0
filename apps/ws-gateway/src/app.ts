/**
 * ws-gateway: holds the clients' WebSockets, checks their tokens, and turns frames into requests
 * to the services and events into frames. Built by the service kit like every service; its one
 * Fastify serves WebSocket, dev tokens, the web page and the health routes on one port.
 */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { newId } from '@relay/contracts';
import { defineService, startService, type AppOf, type ServiceContext, type StartOptions } from '@relay/service-kit';
import { SERVICE_NAME, type GatewayConfig } from './config';
import { devTokenRoute } from './dev-token-route';
import { Gateway } from './gateway';
import { fetchHistoryRange } from './history-range';
import { createGatewayMetrics } from './metrics';
import { NotificationDelivery } from './notification-delivery';
import { drainTimings } from './paced-close';
import { PresenceReporter } from './presence-reporter';
import { RoomRegistry } from './room-registry';
import { RoomSubscriptions } from './room-subscriptions';
import { GATEWAY_CALLS } from './service-clients';
import { listenForUserDisconnects } from './user-disconnect';
import { wsRoute } from './ws-route';

export const gatewayService = defineService({
  name: SERVICE_NAME,
  metricPrefix: 'relay_gateway',
  redis: false,
  http: (logger) =>
    Fastify({
      loggerInstance: logger.child({ component: 'http' }, { level: 'warn' }),
      genReqId: () => newId(),
    }) as unknown as FastifyInstance,
  async setup(ctx: ServiceContext<GatewayConfig>) {
    const { config, logger, bus, http } = ctx;
    const metrics = createGatewayMetrics(ctx.metrics);
    const services = ctx.client(GATEWAY_CALLS, { timeoutMs: config.requestTimeoutMs, resetTimeoutMs: config.breakerResetMs });
    const registry = new RoomRegistry();
    const rooms = new RoomSubscriptions({
      bus,
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
      maxPayload: () => bus.maxPayloadBytes,
      syncChunkBytes: config.presenceSyncChunkBytes,
    });
    const notifications = new NotificationDelivery({ bus, registry, services, logger });
    const gateway = new Gateway({ config, bus, rooms, services, presence, metrics, logger, registry, notifications });

    await http.register(fastifyWebsocket, {
      options: { maxPayload: config.maxFrameBytes },
      // Socket errors (a client gone mid-frame, a frame over the limit: ws has already sent
      // its close code) are routine; ws closes the socket itself.
      errorHandler: (err, _socket, req) => req.log.debug({ err: err.message }, 'websocket error'),
      // Runs inside http.close(), i.e. in the shutdown's HTTP step: sockets close with 1012
      // before NATS drains.
      preClose: async () => {
        const { spreadMs, closeGraceMs } = drainTimings(config.shutdownTimeoutMs, config.drainSpreadPercent);
        await gateway.drain(closeGraceMs, spreadMs);
      },
    });
    await http.register(wsRoute, { gateway, secret: config.jwtSecret });
    if (config.devTokens) await http.register(devTokenRoute, { secret: config.jwtSecret });
    if (existsSync(config.webRoot)) {
      await http.register(fastifyStatic, { root: config.webRoot, prefix: '/' });
      logger.info({ webRoot: config.webRoot }, 'serving the web page');
    }

    listenForUserDisconnects({ bus, registry, logger });
    gateway.startPings(config.pingIntervalMs);
    presence.start();
    return { gateway, registry, rooms, presence, notifications };
  },
});

/** The running service, and what `setup` returned (tests look into it). */
export type GatewayApp = AppOf<typeof gatewayService>;

/** Builds the gateway without listening, so tests can run it in-process. */
export const buildApp = (config: GatewayConfig, opts: StartOptions = {}): Promise<GatewayApp> => startService(gatewayService, config, opts);
