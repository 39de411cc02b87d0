/**
 * ws-gateway: holds the clients' WebSockets, checks their tokens, and turns frames into requests
 * to the services and events into frames. Built by the service kit like every service; its one
 * Fastify serves WebSocket, dev tokens, the web page and the health routes on one port.
 */
import { existsSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { newId } from '@relay/contracts';
import { AdmissionLimiter, defineService, startService, type AppOf, type ServiceContext, type StartOptions } from '@relay/service-kit';
import { SERVICE_NAME, type GatewayConfig } from './config';
import { devTokenRoute } from './dev-token-route';
import { Gateway } from './gateway';
import { createGatewaySecurity, edgeServerOptions, httpLoggerOptions } from './gateway-security';
import { fetchHistoryRange } from './history-range';
import { createGatewayMetrics } from './metrics';
import { NotificationDelivery } from './notification-delivery';
import { drainTimings } from './paced-close';
import { opsRoutes } from './ops/ops-routes';
import { PresenceReporter } from './presence-reporter';
import { RoomRegistry } from './room-registry';
import { RoomSubscriptions } from './room-subscriptions';
import { GATEWAY_CALLS } from './service-clients';
import { TailCheck } from './tail-check';
import { listenForUserDisconnects } from './user-disconnect';
import { handleWebSocketUpgrades } from './ws-upgrade';

export const gatewayService = defineService({
  name: SERVICE_NAME,
  metricPrefix: 'relay_gateway',
  redis: false,
  // WebSocket on PORT; health and metrics there too unless HEALTH_PORT names an internal port.
  // One Fastify for WebSocket, dev tokens and the web page, with TLS and the proxy setting of
  // the edge, and a logger that never writes a token.
  publicPort: (config) => config.port,
  http: (logger, config) =>
    Fastify({
      loggerInstance: logger.child({ component: 'http' }, httpLoggerOptions),
      genReqId: () => newId(),
      ...edgeServerOptions(config.edge),
    }) as unknown as FastifyInstance,
  async setup(ctx: ServiceContext<GatewayConfig>) {
    const { config, logger, bus, http } = ctx;
    const metrics = createGatewayMetrics(ctx.metrics);
    const services = ctx.client(GATEWAY_CALLS, { timeoutMs: config.requestTimeoutMs, resetTimeoutMs: config.breakerResetMs });
    const chatAdmission = new AdmissionLimiter({ name: 'chat-service', maxInFlight: config.chatMaxInFlight, retryAfterMs: config.overloadRetryAfterMs }, ctx.metrics);
    const registry = new RoomRegistry();
    const rooms = new RoomSubscriptions({
      bus,
      registry,
      metrics,
      logger,
      gapWaitMs: config.gapWaitMs,
      fetchRange: (room, from, to) => fetchHistoryRange(services, room, from, to),
    });
    const tailCheck = new TailCheck({
      rooms,
      positions: async (names) => (await services.chatPositions({ rooms: names })).positions,
      metrics,
      logger,
      intervalMs: config.tailCheckIntervalMs,
      maxPerRoom: config.recoveryCap,
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
    notifications.start();
    const security = await createGatewaySecurity(config, logger);
    const gateway = new Gateway({ config, bus, rooms, services, chatAdmission, presence, metrics, logger, registry, notifications, ...security });

    handleWebSocketUpgrades(http.server, {
      gateway,
      verifyToken: security.verifyToken,
      limits: security.limits,
      allowedOrigins: config.edge.allowedOrigins,
      trustProxy: config.edge.trustProxy,
      maxPayloadBytes: config.maxFrameBytes,
      logger,
    });
    // Runs first in http.close(), i.e. in the shutdown's HTTP step: sockets close with 1012
    // before NATS drains.
    http.addHook('preClose', async () => {
      tailCheck.stop();
      const { spreadMs, closeGraceMs } = drainTimings(config.shutdownTimeoutMs, config.drainSpreadPercent);
      await gateway.drain(closeGraceMs, spreadMs);
    });
    http.addHook('onClose', async () => security.stop());
    if (config.devTokens) await http.register(devTokenRoute, { secret: config.jwtSecret });
    await http.register(opsRoutes, { instanceId: config.instanceId, verifyToken: security.verifyToken, admins: config.opsAdmins, prometheusUrl: config.prometheusUrl, registry });
    if (existsSync(config.webRoot)) {
      await http.register(fastifyStatic, { root: config.webRoot, prefix: '/' });
      logger.info({ webRoot: config.webRoot }, 'serving the web page');
    }

    listenForUserDisconnects({ bus, registry, logger });
    gateway.startPings(config.pingIntervalMs);
    presence.start();
    tailCheck.start();
    return { gateway, registry, rooms, presence, notifications, security };
  },
});

/** The running service, and what `setup` returned (tests look into it). */
export type GatewayApp = AppOf<typeof gatewayService>;

/** Builds the gateway without listening, so tests can run it in-process. */
export const buildApp = (config: GatewayConfig, opts: StartOptions = {}): Promise<GatewayApp> => startService(gatewayService, config, opts);
