import type { LiveState } from '../../clients/ts/src/index.ts';

/** Worst first: the badge shows the least healthy state among the page's subscriptions. */
const SEVERITY: readonly LiveState[] = ['closed', 'disconnected', 'gap', 'connecting', 'resynced', 'live'];

/**
 * The connection badge: one element showing the worst state of several subscriptions, and a list
 * recording each change with its time (so a user, or a test, sees "disconnected → gap → resynced").
 */
export function liveBadge(badge: HTMLElement, history: HTMLElement) {
  const states = new Map<string, LiveState>();
  let shown: LiveState | undefined;
  return {
    set(source: string, state: LiveState) {
      states.set(source, state);
      const worst = SEVERITY.find((s) => [...states.values()].includes(s)) ?? 'connecting';
      if (worst === shown) return;
      shown = worst;
      badge.textContent = worst;
      badge.dataset['state'] = worst;
      const item = document.createElement('li');
      item.textContent = `${new Date().toLocaleTimeString()} ${worst}`;
      item.dataset['state'] = worst;
      history.prepend(item);
    },
  };
}
