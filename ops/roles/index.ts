import type { Role } from './role.ts';
import { notifyRole } from './notify.ts';
import { projectRole } from './project.ts';
import { relayRole } from './relay.ts';
import { sagaRole } from './saga.ts';
import { serveRole } from './serve.ts';

export type { Role, RoleDeps, RunningRole } from './role.ts';

/**
 * Every process role, in start order (`orderflow start` starts them in this order and stops them
 * in reverse). Add `relay`, `project`, `saga`, `notify` here; each also becomes a CLI command.
 */
export const roles: readonly Role[] = [relayRole, projectRole, sagaRole, notifyRole, serveRole];
