/** Log position inside a mutation's token: "transaction id.global position". */
const POSITION = /^(\d{1,20})\.(\d{1,20})$/;

/**
 * The log position a mutation's token names, or undefined for a token this client cannot read.
 * Tokens are `v2.<key id>.<payload>.<signature>` (signed by the server; the payload is readable
 * base64url JSON) or, from older servers, the bare payload.
 */
export function tokenPosition(token: string): [bigint, bigint] | undefined {
  try {
    const payload = token.startsWith('v2.') ? (token.split('.')[2] ?? '') : token;
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const parsed = JSON.parse(json) as { p?: unknown };
    const m = typeof parsed.p === 'string' ? POSITION.exec(parsed.p) : null;
    return m ? [BigInt(m[1] ?? '0'), BigInt(m[2] ?? '0')] : undefined;
  } catch {
    return undefined;
  }
}

function newer(a: string, b: string): boolean {
  const pa = tokenPosition(a);
  const pb = tokenPosition(b);
  if (!pa || !pb) return true; // opaque tokens: the one received last wins
  return pa[0] !== pb[0] ? pa[0] > pb[0] : pa[1] >= pb[1];
}

/**
 * What one user session has written: the newest `consistencyToken` its mutations returned. Queries
 * send it as `consistentWith`, so the session reads its own writes. Tokens arriving out of order
 * (concurrent mutations) never move it backwards.
 */
export class ConsistencySession {
  #token: string | undefined;

  /** The newest token seen, if any. */
  get token(): string | undefined {
    return this.#token;
  }

  /** Records a mutation's token; keeps the newer of it and the current one. */
  observe(token: string): void {
    if (this.#token === undefined || newer(token, this.#token)) this.#token = token;
  }

  /** Forgets the session's writes (e.g. on logout). */
  reset(): void {
    this.#token = undefined;
  }
}

/** Every `consistencyToken` string found in a mutation's data. */
export function tokensIn(data: unknown): string[] {
  if (data === null || typeof data !== 'object') return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === 'consistencyToken' && typeof value === 'string') found.push(value);
    else found.push(...tokensIn(value));
  }
  return found;
}
