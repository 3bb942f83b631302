/** Latest-value writes per key, at most one started per interval; see {@link createTrailingPacer}. */
export interface TrailingPacer<T> {
  /**
   * Hands over the newest value of `key`. Written at once (the returned promise is that write) when the
   * key's last write started at least an interval ago; otherwise kept, replacing any value still
   * waiting, and written when the interval is up (the promise resolves at once).
   */
  offer(key: string, value: T): Promise<void>;
  /** Writes every waiting value now and resolves when every write has ended. */
  flush(): Promise<void>;
}

interface KeyState<T> {
  lastStart: number;
  waiting: T | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Writes of one key run one after the other, so a later value never lands before an earlier one. */
  chain: Promise<void>;
}

/**
 * Paces writes whose newest value supersedes the older ones (a checkpoint): per key, at most one write
 * starts per `intervalMs()` (read at each offer: 0 writes every value at once), the value written is the
 * newest offered, and a value offered inside the interval is written at its end (trailing), so the last
 * one always lands. A write that throws is passed to `onError`; the key carries on.
 */
export function createTrailingPacer<T>(
  write: (key: string, value: T) => Promise<void>,
  intervalMs: () => number,
  onError: (err: unknown) => void,
  clock: () => number = Date.now,
): TrailingPacer<T> {
  const keys = new Map<string, KeyState<T>>();

  function run(key: string, st: KeyState<T>): Promise<void> {
    st.chain = st.chain.then(async () => {
      const value = st.waiting;
      if (value === undefined) return; // an earlier run already took it
      st.waiting = undefined;
      st.lastStart = clock();
      await write(key, value);
    }).catch(onError);
    return st.chain;
  }

  return {
    offer(key, value) {
      let st = keys.get(key);
      if (!st) keys.set(key, (st = { lastStart: Number.NEGATIVE_INFINITY, waiting: undefined, timer: undefined, chain: Promise.resolve() }));
      st.waiting = value;
      if (st.timer !== undefined) return Promise.resolve(); // the armed write takes this value
      const due = st.lastStart + intervalMs() - clock();
      if (due <= 0) return run(key, st);
      const state = st;
      state.timer = setTimeout(() => {
        state.timer = undefined;
        void run(key, state);
      }, due);
      return Promise.resolve();
    },
    async flush() {
      await Promise.all([...keys].map(([key, st]) => {
        clearTimeout(st.timer);
        st.timer = undefined;
        return run(key, st);
      }));
    },
  };
}
