import type { AppConfig } from '../../platform/index.ts';
import { authenticate } from '../auth/authenticate.ts';

/** Close codes of a socket whose credentials stopped being good (graphql-ws style 44xx). */
export const SocketAuthClose = {
  /** The token's `exp` passed: authenticate again with a fresh token. */
  EXPIRED: 4401,
  /** A periodic re-check refused the token (revoked key, changed issuer, …). */
  REVOKED: 4403,
} as const;

/** What a watched socket needs: something we can close with a code. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** Options of {@link watchSocketAuth}. */
export interface SocketAuthWatchOptions {
  socket: ClosableSocket;
  /** The `Authorization` value the socket connected with. */
  header: string | undefined;
  /** When the token expires (ms since the epoch); undefined: it does not. */
  expiresAt: number | undefined;
  config: Pick<AppConfig, 'auth'>;
  /** How often the token is verified again (0 = never). */
  recheckMs: number;
}

/**
 * Keeps a socket's credentials honest for its whole life, not only at connect: closes it with
 * 4401 when the token's `exp` passes and with 4403 when a periodic re-verification refuses it.
 * Returns the function that stops watching (call it on close).
 */
export function watchSocketAuth(opts: SocketAuthWatchOptions): () => void {
  // At most one timer of each kind is pending; each re-check replaces its own. (Pushing every
  // re-check's timer onto a list kept one fired Timeout per socket per period for the socket's life.)
  let expiry: NodeJS.Timeout | undefined;
  let recheck: NodeJS.Timeout | undefined;
  let closed = false;
  const stop = () => {
    closed = true;
    clearTimeout(expiry);
    clearTimeout(recheck);
  };
  const close = (code: number, reason: string) => {
    if (closed) return;
    stop();
    opts.socket.close(code, reason);
  };
  const { expiresAt } = opts;
  if (expiresAt !== undefined) {
    // setTimeout holds 2^31-1 ms at most; a longer-lived token is caught by the re-check.
    const inMs = Math.max(0, expiresAt - Date.now());
    if (inMs < 2 ** 31 - 1) expiry = setTimeout(() => close(SocketAuthClose.EXPIRED, 'token expired'), inMs).unref();
  }
  if (opts.recheckMs > 0 && opts.header !== undefined) {
    const tick = () => {
      authenticate(opts.header, opts.config).then(
        () => {
          if (!closed) recheck = setTimeout(tick, opts.recheckMs).unref();
        },
        () => close(SocketAuthClose.REVOKED, 'token no longer valid'),
      );
    };
    recheck = setTimeout(tick, opts.recheckMs).unref();
  }
  return stop;
}
