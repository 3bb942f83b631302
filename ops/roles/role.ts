import type { AppConfig, Logger } from '../../platform/index.ts';

/** What every role gets: the validated configuration and the process logger. */
export interface RoleDeps {
  config: AppConfig;
  logger: Logger;
}

/** A started role; `stop` finishes in-flight work and releases its resources. */
export interface RunningRole {
  stop(): Promise<void>;
  /** Where the role listens, when it does (the serve role's GraphQL URL). */
  url?: string;
}

/**
 * One process role (`serve`, `relay`, `project`, `saga`, `notify`). Each is an `orderflow <name>`
 * command, and `orderflow start` runs all of them in one process.
 */
export interface Role {
  name: string;
  description: string;
  start(deps: RoleDeps): Promise<RunningRole>;
}
