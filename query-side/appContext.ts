import type { CommandHandler, PaymentVault } from '../command-side/index.ts';
import type { RequestContext } from './context.ts';
import type { OperatorService } from './operators/operatorService.ts';
import type { TokenCodec } from './consistency/codec.ts';
import type { ConsistencyTracker } from './consistency/tracker.ts';
import type { SubscriptionHub } from './subscriptions/hub.ts';
import type { Loaders } from './views/loaders.ts';
import type { CachedViewReader } from './views/cachedViewReader.ts';
import type { ReadFloor } from './views/viewCache.ts';

/** Long-lived services the resolvers use (one set per process). */
export interface AppServices {
  commands: CommandHandler;
  /** The views, point reads through the per-process cache. */
  views: CachedViewReader;
  tracker: ConsistencyTracker;
  /** Mints and verifies the signed consistency tokens. */
  tokens: TokenCodec;
  hub: SubscriptionHub;
  /** Projection status, dead letters, temporal reads and rebuilds (operator role). */
  operators: OperatorService;
  /** Exchanges a client's card token for the provider's reference before an order is placed. */
  paymentVault: PaymentVault;
  consistencyTimeoutMs: number;
  /** Proxies whose `X-Forwarded-For` entries are believed (ORDERFLOW_TRUSTED_PROXY_HOPS). */
  trustedProxyHops: number;
}

/** The context of one GraphQL operation. */
export interface AppContext extends RequestContext {
  services: AppServices;
  loaders: Loaders;
  /** Who this is for limits: `sub:<subject>`, or `ip:<client address>` when anonymous. */
  clientKey: string;
  /** What this operation's `consistentWith` waits required (grows as fields wait); the loaders honour it. */
  readFloor: ReadFloor[number][];
}
