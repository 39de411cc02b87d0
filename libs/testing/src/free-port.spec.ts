import { freePort } from './free-port';

describe('freePort', () => {
  it('freePort - never hands out the same port twice in one process (picks from about 12,000 would repeat within a few hundred)', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 600; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
