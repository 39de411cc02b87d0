export { AppProcess } from './app-process';
export { ChildServer } from './child-server';
export { freePort } from './free-port';
export { startNats, startRedis } from './infra';
export { TEST_JWT_SECRET, TestStack } from './stack';
export { httpStatus, portOpen, uniqueName, waitFor } from './wait-for';
export { signToken, TestClient } from './ws-client';

export type { AppName, AppProcessOptions } from './app-process';
export type { TestNats, TestRedis } from './infra';
export type { StackOptions } from './stack';
export type { WaitOptions } from './wait-for';
export type { Frame } from './ws-client';
