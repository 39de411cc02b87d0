/**
 * api: the HTTP API for backends (docs/server-api.md). Stateless like the gateway: it calls the
 * services over NATS through breakers and keeps nothing itself. Built by the service kit like
 * every service.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { defineService, startService, type AppOf, type ServiceContext, type StartOptions } from '@relay/service-kit';
import { ApiKeys } from './api-key-auth';
import { SERVICE_NAME, type ApiConfig } from './config';
import { registerOpenApi } from './openapi';
import { registerRoutes } from './routes';
import { API_CALLS } from './service-calls';
import { userDisconnector } from './user-disconnect';

export const apiService = defineService({
  name: SERVICE_NAME,
  metricPrefix: 'relay_api',
  redis: false,
  // Request bodies are small JSON; anything bigger is refused before parsing.
  http: (logger) => Fastify({ loggerInstance: logger, bodyLimit: 64 * 1024, disableRequestLogging: true }) as unknown as FastifyInstance,
  async setup(ctx: ServiceContext<ApiConfig>) {
    const { config, logger } = ctx;
    const clients = ctx.client(API_CALLS, { timeoutMs: config.requestTimeoutMs, resetTimeoutMs: config.breakerResetMs });
    // The generator goes first: it documents the routes registered after it.
    await registerOpenApi(ctx.http);
    const disconnectUser = userDisconnector(ctx.bus, config.requestTimeoutMs);
    registerRoutes(ctx.http, { clients, disconnectUser }, new ApiKeys(config.apiKeys), logger);
    return { clients };
  },
  describe: (config) => ({ apiKeys: config.apiKeys.size }),
});

/** The running api, and what `setup` returned (tests look into it). */
export type ApiApp = AppOf<typeof apiService>;

/** Builds the api without listening, so tests can run it in-process. */
export const buildApp = (config: ApiConfig, opts: StartOptions = {}): Promise<ApiApp> => startService(apiService, config, opts);
