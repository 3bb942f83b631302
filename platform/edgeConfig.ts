import { z } from 'zod';

/** One HMAC key of the consistency tokens, named by its key id (the `<kid>` part of a token). */
export interface SigningKey {
  keyId: string;
  key: string;
}

/** Read-your-writes settings of the API edge. */
export interface ConsistencyConfig {
  /**
   * Signs new tokens (ORDERFLOW_CONSISTENCY_KEY, ORDERFLOW_CONSISTENCY_KEY_ID). Undefined only in
   * production with no key set: the serve role then refuses to start (see {@link requireEdgeSecrets}).
   */
  signing?: SigningKey;
  /** Keys still accepted for verification, never for signing (ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS): rotation. */
  previousKeys: SigningKey[];
  /** How often the one checkpoint poller of the process re-reads the checkpoints while reads wait (ORDERFLOW_CONSISTENCY_POLL_MS). */
  pollMs: number;
  /** Concurrent `consistentWith` waits per principal (ORDERFLOW_CONSISTENCY_MAX_WAITS); above it, RATE_LIMITED. */
  maxWaitsPerPrincipal: number;
}

/** Shared rate limit of the API edge. */
export interface RateLimitConfig {
  /** Redis holding the budgets of every API replica (REDIS_URL); undefined = per-process only (production refuses that). */
  redisUrl?: string;
  /** Failed authentications allowed per client address per minute (ORDERFLOW_AUTH_FAILURES_PER_MINUTE). */
  authFailuresPerMinute: number;
  /**
   * Proxies in front of the API that append to `X-Forwarded-For` (ORDERFLOW_TRUSTED_PROXY_HOPS): the
   * client address is the entry that many hops from the right. 0 = use the socket's peer address.
   */
  trustedProxyHops: number;
}

/**
 * The development signing key: fixed, so every serve replica of a local topology (and a restarted
 * one) accepts the others' tokens. Production never falls back to it.
 */
export const DEV_CONSISTENCY_KEY: SigningKey = { keyId: 'dev', key: 'orderflow-development-consistency-key-not-secret' };

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_KEY = 32;

const count = (what: string) => z.coerce.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).positive({ error: `expected ${what}` });

/** `kid:key,kid:key` → keys; refuses a malformed entry, a short key or a repeated key id. */
const previousKeys = z.string().transform((v, ctx) => {
  const keys: SigningKey[] = [];
  for (const entry of v.split(',').map((e) => e.trim()).filter((e) => e.length > 0)) {
    const at = entry.indexOf(':');
    const keyId = entry.slice(0, at);
    const key = entry.slice(at + 1);
    if (at < 1 || !KEY_ID.test(keyId) || key.length < MIN_KEY || keys.some((k) => k.keyId === keyId)) {
      ctx.addIssue({ code: 'custom', message: `expected kid:key,… (key ids of letters, digits, "_" or "-"; keys of at least ${MIN_KEY} characters; each kid once)` });
      return z.NEVER;
    }
    keys.push({ keyId, key });
  }
  return keys;
});

/** The edge's variables, merged into the application schema by `loadConfig`. */
export const edgeShape = {
  ORDERFLOW_CONSISTENCY_KEY: z.string().min(MIN_KEY, `expected at least ${MIN_KEY} characters (HMAC-SHA256 key)`).optional(),
  ORDERFLOW_CONSISTENCY_KEY_ID: z.string().regex(KEY_ID, 'expected 1-32 letters, digits, "_" or "-"').optional(),
  ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS: previousKeys.optional(),
  ORDERFLOW_CONSISTENCY_POLL_MS: count('a positive number of milliseconds').default(250),
  ORDERFLOW_CONSISTENCY_MAX_WAITS: count('a positive integer').default(20),
  REDIS_URL: z.string().refine((v) => {
    try {
      return /^rediss?:$/.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'expected a redis:// or rediss:// URL').optional(),
  ORDERFLOW_AUTH_FAILURES_PER_MINUTE: count('a positive integer').default(30),
  ORDERFLOW_TRUSTED_PROXY_HOPS: z.coerce.number({ error: 'expected a non-negative integer' }).int().min(0, { error: 'expected a non-negative integer' }).max(10, { error: 'expected at most 10' }).default(0),
};

/** Variables of {@link edgeShape} whose value must never appear in an error message. */
export const EDGE_SECRETS = ['ORDERFLOW_CONSISTENCY_KEY', 'ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS', 'REDIS_URL'] as const;

type EdgeInput = {
  ORDERFLOW_CONSISTENCY_KEY?: string | undefined;
  ORDERFLOW_CONSISTENCY_KEY_ID?: string | undefined;
  ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS?: SigningKey[] | undefined;
  ORDERFLOW_CONSISTENCY_POLL_MS: number;
  ORDERFLOW_CONSISTENCY_MAX_WAITS: number;
  REDIS_URL?: string | undefined;
  ORDERFLOW_AUTH_FAILURES_PER_MINUTE: number;
  ORDERFLOW_TRUSTED_PROXY_HOPS: number;
};

/**
 * Problems with the edge's variables: `[variable, message]` pairs. A key id without a key, or a
 * previous key that repeats the current key id, would make tokens unverifiable after a rotation.
 */
export function edgeIssues(c: EdgeInput): [string, string][] {
  const issues: [string, string][] = [];
  if (c.ORDERFLOW_CONSISTENCY_KEY_ID && !c.ORDERFLOW_CONSISTENCY_KEY) issues.push(['ORDERFLOW_CONSISTENCY_KEY', 'required when ORDERFLOW_CONSISTENCY_KEY_ID is set']);
  const current = c.ORDERFLOW_CONSISTENCY_KEY_ID ?? 'k1';
  if (c.ORDERFLOW_CONSISTENCY_KEY && c.ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS?.some((k) => k.keyId === current)) {
    issues.push(['ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS', `must not reuse the current key id "${current}"`]);
  }
  return issues;
}

/**
 * The edge's settings. Outside production a missing key is the fixed {@link DEV_CONSISTENCY_KEY}
 * and a missing REDIS_URL the local stack's Redis (`localRedisUrl`); in production both stay unset and the serve role
 * refuses to start without them.
 */
export function edgeConfigOf(c: EdgeInput, production: boolean, localRedisUrl: string): { consistency: ConsistencyConfig; rateLimit: RateLimitConfig } {
  const signing = c.ORDERFLOW_CONSISTENCY_KEY ? { keyId: c.ORDERFLOW_CONSISTENCY_KEY_ID ?? 'k1', key: c.ORDERFLOW_CONSISTENCY_KEY } : production ? undefined : DEV_CONSISTENCY_KEY;
  const redisUrl = c.REDIS_URL ?? (production ? undefined : localRedisUrl);
  return {
    consistency: {
      ...(signing && { signing }),
      previousKeys: c.ORDERFLOW_CONSISTENCY_PREVIOUS_KEYS ?? [],
      pollMs: c.ORDERFLOW_CONSISTENCY_POLL_MS,
      maxWaitsPerPrincipal: c.ORDERFLOW_CONSISTENCY_MAX_WAITS,
    },
    rateLimit: {
      ...(redisUrl && { redisUrl }),
      authFailuresPerMinute: c.ORDERFLOW_AUTH_FAILURES_PER_MINUTE,
      trustedProxyHops: c.ORDERFLOW_TRUSTED_PROXY_HOPS,
    },
  };
}
