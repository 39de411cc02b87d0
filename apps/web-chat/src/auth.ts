/** Dev-token sign-in: POST /auth/dev-token on the first origin that answers. */
export class SignInError extends Error {
  override name = 'SignInError';
}

export async function fetchDevToken(origins: string[], user: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  const problems: string[] = [];
  for (const origin of origins) {
    try {
      const res = await fetchImpl(`${origin}/auth/dev-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user }),
      });
      if (res.ok) {
        const body = (await res.json()) as { token?: unknown };
        if (typeof body.token === 'string') return body.token;
        problems.push(`${origin}: no token in the answer`);
      } else if (res.status === 400) {
        throw new SignInError('names may use letters, digits, "_" and "-" (1 to 64)');
      } else {
        problems.push(`${origin}: HTTP ${res.status}${res.status === 404 ? ' (dev tokens are off)' : ''}`);
      }
    } catch (err) {
      if (err instanceof SignInError) throw err;
      problems.push(`${origin}: ${(err as Error).message}`);
    }
  }
  throw new SignInError(`could not sign in: ${problems.join('; ') || 'no gateway configured'}`);
}
