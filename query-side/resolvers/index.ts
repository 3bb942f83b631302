import type { Resolvers } from '../schema.ts';
import { enumResolvers } from './enums.ts';
import { healthResolvers } from './health.ts';
import { metricsResolvers } from './metrics.ts';
import { mutationResolvers } from './mutations.ts';
import { operatorResolvers } from './operators.ts';
import { readResolvers } from './reads.ts';
import { scalarResolvers } from './scalars.ts';
import { subscriptionResolvers } from './subscriptions.ts';

/** Every area's resolvers; add an area's map here. */
export const resolvers: Resolvers = [healthResolvers, scalarResolvers, enumResolvers, mutationResolvers, readResolvers, subscriptionResolvers, operatorResolvers, metricsResolvers];
