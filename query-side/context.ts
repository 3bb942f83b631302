import type { Logger } from '../platform/index.ts';
import type { Principal } from './auth/principal.ts';

/**
 * What every resolver receives as its context: who asks, and a logger bound to the request's
 * correlation and trace ids. Areas extend it (DataLoaders, consistency waits) in `createContext`.
 */
export interface RequestContext {
  principal: Principal;
  correlationId: string;
  logger: Logger;
}
