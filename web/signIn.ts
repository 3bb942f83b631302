/**
 * Where a page gets its bearer token: `#token=…` in the URL (then kept in sessionStorage and removed
 * from the address bar), or what the user pasted into the sign-in form earlier in this tab.
 */
export function storedToken(): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('orderflow:token', fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('orderflow:token') ?? undefined;
}

/** Forgets the token (expired or refused), so the sign-in form shows again. */
export function forgetToken(): void {
  sessionStorage.removeItem('orderflow:token');
}

/** The customer a token speaks for: `dev:<id>:customer`, or a JWT's `customerId` / `sub` claim. */
export function customerOf(token: string): string | undefined {
  const dev = /^dev:([^:]+):/.exec(token);
  if (dev) return dev[1];
  try {
    const claims = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown; customerId?: unknown };
    const id = claims.customerId ?? claims.sub;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Renders a sign-in form into `root`; on submit stores the token and reloads the page. */
export function renderSignIn(root: HTMLElement, hint: string, notice?: string): void {
  root.innerHTML = `<form id="sign-in" class="card">
    <h1>Sign in</h1>
    ${notice ? '<p class="error" role="alert"></p>' : ''}
    <label>Bearer token <input name="token" required autocomplete="off" placeholder="${hint}"></label>
    <button type="submit">Continue</button>
  </form>`;
  if (notice) root.querySelector('.error')!.textContent = notice;
  root.querySelector('form')!.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = new FormData(e.target as HTMLFormElement).get('token');
    if (typeof value === 'string' && value.trim()) sessionStorage.setItem('orderflow:token', value.trim());
    location.reload();
  });
}

/** A message a user can act on for an error from the client (never a blank screen). */
export function describeError(err: unknown): { text: string; signedOut: boolean } {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' || code === 'CONNECTION_REFUSED') {
    return { text: /expired/i.test(message) ? 'Your session has expired. Please sign in again.' : `You are not signed in with a token allowed here (${message}). Please sign in again.`, signedOut: true };
  }
  if (code === 'NETWORK_ERROR') return { text: 'The server cannot be reached right now. Try again in a moment.', signedOut: false };
  return { text: message, signedOut: false };
}
