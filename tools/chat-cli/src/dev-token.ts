import { httpOriginOf } from './args';
import { CliError, describeNetworkError } from './errors';

/** POST /auth/dev-token on the gateway's http origin (works when it runs with AUTH_DEV_TOKENS=1). */
export async function fetchDevToken(wsUrl: string, user: string): Promise<string> {
  const url = `${httpOriginOf(wsUrl)}/auth/dev-token`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    throw new CliError(`cannot get a dev token from ${url}: ${describeNetworkError(err)}`);
  }
  if (res.status === 404) throw new CliError(`${url} answered 404: dev tokens are off on that gateway (AUTH_DEV_TOKENS=1), pass --token`);
  if (!res.ok) throw new CliError(`cannot get a dev token from ${url}: HTTP ${res.status} ${await res.text().catch(() => '')}`.trim());
  const body = (await res.json().catch(() => ({}))) as { token?: unknown };
  if (typeof body.token !== 'string') throw new CliError(`${url} answered without a token`);
  return body.token;
}
