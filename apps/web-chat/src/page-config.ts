/** Where the page connects and signs in, read from its own URL (`?gateways=ws://a/ws,ws://b/ws`). */
export interface PageConfig {
  /** WebSocket URLs in rotation order. */
  gateways: string[];
  /** HTTP origins that may answer POST /auth/dev-token, tried in order. */
  authOrigins: string[];
}

export interface PageLocation {
  protocol: string;
  host: string;
  search: string;
}

/** ws://host:port/ws -> http://host:port (wss -> https). */
export function httpOriginOf(wsUrl: string): string {
  const u = new URL(wsUrl);
  const scheme = u.protocol === 'wss:' ? 'https:' : 'http:';
  return `${scheme}//${u.host}`;
}

export function readPageConfig(loc: PageLocation): PageConfig {
  const params = new URLSearchParams(loc.search);
  const listed = (params.get('gateways') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^wss?:\/\//.test(s));
  const served = loc.protocol === 'http:' || loc.protocol === 'https:';
  const sameOrigin = served ? `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws` : undefined;
  const gateways = listed.length > 0 ? listed : sameOrigin ? [sameOrigin] : [];
  const origins = [...(served ? [`${loc.protocol}//${loc.host}`] : []), ...gateways.map(httpOriginOf)];
  return { gateways, authOrigins: [...new Set(origins)] };
}
