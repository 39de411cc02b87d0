export { AppProcess } from './app-process';
export { ChildServer } from './child-server';
export { freePort } from './free-port';
export { startNats, startRedis } from './infra';
export { startNatsCluster } from './nats-cluster';
export { startRedisCluster } from './redis-cluster';
export { SENTINEL_PRIMARY_NAME, startRedisSentinel } from './redis-sentinel';
export { TEST_JWT_SECRET, TestStack } from './stack';
export { httpStatus, portOpen, uniqueName, waitFor } from './wait-for';
export { signToken, TestClient } from './ws-client';

export type { AppName, AppProcessOptions } from './app-process';
export type { StartRedisOptions, TestNats, TestRedis } from './infra';
export type { NatsNode, TestNatsCluster } from './nats-cluster';
export type { TestRedisCluster } from './redis-cluster';
export type { TestRedisSentinel } from './redis-sentinel';
export type { StackOptions } from './stack';
export type { WaitOptions } from './wait-for';
export type { Frame } from './ws-client';
