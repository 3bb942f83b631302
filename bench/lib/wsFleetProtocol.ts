import { z } from 'zod';

/** Parent → child commands of the WebSocket client fleet. */
export const FleetCommand = z.discriminatedUnion('cmd', [
  z.object({
    cmd: z.literal('open'),
    mode: z.enum(['graphql', 'raw']),
    url: z.string(),
    count: z.number().int().positive(),
    /** Sockets opened concurrently per step (the box has 2 cores). */
    batch: z.number().int().positive(),
    token: z.string().optional(),
    query: z.string().optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
    /**
     * Which field of a graphql message is its delivery key: `onHand` (inventoryChanged's item count,
     * the default) or `orderSeq` (the sequence number a bench order id carries, see `seqOrderId.ts`,
     * of customerOrdersChanged's order).
     */
    key: z.enum(['onHand', 'orderSeq']).optional(),
  }),
  z.object({ cmd: z.literal('status') }),
  z.object({ cmd: z.literal('collect') }),
  z.object({ cmd: z.literal('close') }),
]);
export type FleetCommand = z.infer<typeof FleetCommand>;

/** Child → parent replies. */
export const FleetReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('opened'), open: z.number(), failed: z.number(), errors: z.number(), firstError: z.string().optional() }),
  z.object({
    type: z.literal('status'), receivedBy: z.number(), deliveries: z.number(), errors: z.number(), firstError: z.string().optional(), frameBytes: z.number(),
    /** The fleet's own CPU (user + system) since it started, and its event-loop delay since the last collect: its share of every latency. */
    cpuMicros: z.number(), loopDelayP99Ms: z.number(), loopDelayMaxMs: z.number(),
  }),
  z.object({ type: z.literal('deliveries'), keys: z.array(z.number()), clients: z.array(z.number()), times: z.array(z.number()) }),
  z.object({ type: z.literal('closed') }),
]);
export type FleetReply = z.infer<typeof FleetReply>;
