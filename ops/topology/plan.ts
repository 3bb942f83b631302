/** One process of the topology. */
export interface ProcessSpec {
  /** Unique name, e.g. `serve-1`. */
  name: string;
  /** The role it runs (an `orderflow` command). */
  role: 'serve' | 'relay' | 'project' | 'saga' | 'notify';
  /** Environment added to the supervisor's own. */
  env: Record<string, string>;
  /** Where its `/healthz`, `/readyz` and `/metrics` answer. */
  opsPort: number;
}

/** The production shape on one box: how many of each role. */
export interface TopologyShape {
  serve: number;
  relay: number;
  project: number;
  saga: number;
  notify: number;
}

/** 2× serve behind the proxy, 2× relay (one active), 3× project, 2× saga, 1× notify. */
export const DEFAULT_SHAPE: TopologyShape = { serve: 2, relay: 2, project: 3, saga: 2, notify: 1 };

/** Options of {@link planTopology}. */
export interface PlanOptions {
  shape?: TopologyShape;
  /** serve-1 listens on `servePortBase + 1`, serve-2 on `+ 2`, … */
  servePortBase: number;
  /** relay-1's ops listener on `opsPortBase + 1`, then each non-serve process in order. */
  opsPortBase: number;
}

/**
 * The processes of the topology, in start order (relays first, the edge last), each with its own
 * ports. A serve process answers /healthz, /readyz and /metrics on its GraphQL port; the others on
 * their ops port. Pure.
 */
export function planTopology(opts: PlanOptions): ProcessSpec[] {
  const shape = opts.shape ?? DEFAULT_SHAPE;
  const specs: ProcessSpec[] = [];
  let ops = opts.opsPortBase;
  for (const role of ['relay', 'project', 'saga', 'notify'] as const) {
    for (let i = 1; i <= shape[role]; i++) {
      ops++;
      specs.push({ name: `${role}-${i}`, role, opsPort: ops, env: { ORDERFLOW_OPS_PORT: String(ops), KAFKA_CLIENT_ID: `orderflow-${role}-${i}` } });
    }
  }
  for (let i = 1; i <= shape.serve; i++) {
    const port = opts.servePortBase + i;
    specs.push({ name: `serve-${i}`, role: 'serve', opsPort: port, env: { ORDERFLOW_HTTP_PORT: String(port), ORDERFLOW_OPS_PORT: '0', KAFKA_CLIENT_ID: `orderflow-serve-${i}` } });
  }
  return specs;
}

/**
 * Parses `serve=2,relay=1,…` (roles not named keep their default count; 0 leaves a role out).
 * @throws Error naming the bad part.
 */
export function parseShape(text: string, base: TopologyShape = DEFAULT_SHAPE): TopologyShape {
  const shape = { ...base };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(serve|relay|project|saga|notify)=(\d{1,2})$/.exec(part);
    if (!m) throw new Error(`invalid topology part "${part}": expected <serve|relay|project|saga|notify>=<count>`);
    shape[m[1] as keyof TopologyShape] = Number(m[2]);
  }
  return shape;
}
