/**
 * Child process of the subscription scenario: opens many WebSocket clients (one graphql-ws client per
 * socket, or plain `ws` clients for the raw baseline) so that the load generator does not share the
 * server's event loop, and records when each message arrived. Driven over IPC (see `wsFleet.ts`).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { now } from './clock.ts';
import { seqOfOrderId } from './seqOrderId.ts';
import { FleetCommand, type FleetReply } from './wsFleetProtocol.ts';

const graphqlClients: Client[] = [];
const rawSockets: WebSocket[] = [];
/** Per delivery: the change key, the receiving client, and the arrival time. */
let keys: number[] = [];
let clientsOf: number[] = [];
let times: number[] = [];
const receivedBy = new Set<number>();
let errors = 0;
let firstError: string | undefined;
/** Size of the last graphql-ws "next" frame as the server sends it (id + type + payload). */
let frameBytes = 0;
/** This process's event-loop delay: time a message waited behind the fleet's own work. */
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();

function reply(m: FleetReply): void {
  process.send?.(m);
}

function record(client: number, key: number): void {
  keys.push(key);
  clientsOf.push(client);
  times.push(now());
  receivedBy.add(client);
}

function fail(err: unknown): void {
  errors++;
  firstError ??= err instanceof Error ? err.message : JSON.stringify(err);
}

type Message = { inventoryChanged?: { item?: { onHand?: number } }; customerOrdersChanged?: { order?: { id?: string } } };
type KeyOf = (data: Message | null | undefined) => number | undefined;

const keyOf: Record<NonNullable<Extract<FleetCommand, { cmd: 'open' }>['key']>, KeyOf> = {
  onHand: (d) => d?.inventoryChanged?.item?.onHand,
  orderSeq: (d) => seqOfOrderId(d?.customerOrdersChanged?.order?.id),
};

function openGraphql(i: number, url: string, token: string, query: string, variables: Record<string, unknown>, key: KeyOf): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (!settled) {
        settled = true;
        resolve(ok);
      }
    };
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
      on: { connected: () => done(true), closed: () => done(false), error: (e) => (fail(e), done(false)) },
    });
    graphqlClients.push(client);
    client.subscribe<Message>({ query, variables }, {
      next: (v) => {
        const k = key(v.data);
        if (typeof k === 'number') {
          record(i, k);
          // Once: a stringify per message would add the fleet's own work to every latency.
          if (frameBytes === 0) frameBytes = JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', type: 'next', payload: v }).length;
        } else if (v.errors) fail(v.errors);
      },
      error: fail,
      complete: () => undefined,
    });
  });
}

function openRaw(i: number, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    rawSockets.push(ws);
    ws.on('open', () => resolve(true));
    ws.on('error', (e) => (fail(e), resolve(false)));
    ws.on('message', (data: Buffer) => {
      // The same JSON a graphql-ws client parses: {"id":…,"type":"next","payload":{"k":…,"pad":…}}.
      const parsed: unknown = JSON.parse(data.toString('utf8'));
      const payload = typeof parsed === 'object' && parsed !== null && 'payload' in parsed ? parsed.payload : undefined;
      const key = typeof payload === 'object' && payload !== null && 'k' in payload ? payload.k : undefined;
      if (typeof key === 'number') record(i, key);
    });
  });
}

process.on('message', (raw: unknown) => {
  const cmd = FleetCommand.parse(raw);
  void (async () => {
    switch (cmd.cmd) {
      case 'open': {
        let open = 0;
        let failed = 0;
        // Client numbers go on across open commands, so deliveries of different opens stay apart.
        const first = graphqlClients.length + rawSockets.length;
        for (let start = 0; start < cmd.count; start += cmd.batch) {
          const n = Math.min(cmd.batch, cmd.count - start);
          const results = await Promise.all(Array.from({ length: n }, (_, j) => {
            const i = first + start + j;
            return cmd.mode === 'graphql' ? openGraphql(i, cmd.url, cmd.token ?? '', cmd.query ?? '', cmd.variables ?? {}, keyOf[cmd.key ?? 'onHand']) : openRaw(i, cmd.url);
          }));
          open += results.filter(Boolean).length;
          failed += results.filter((ok) => !ok).length;
        }
        reply({ type: 'opened', open, failed, errors, ...(firstError !== undefined && { firstError }) });
        break;
      }
      case 'status':
        reply({
          type: 'status', receivedBy: receivedBy.size, deliveries: keys.length, errors, frameBytes, ...(firstError !== undefined && { firstError }),
          cpuMicros: ((c) => c.user + c.system)(process.cpuUsage()), loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMaxMs: loopDelay.max / 1e6,
        });
        break;
      case 'collect':
        reply({ type: 'deliveries', keys, clients: clientsOf, times });
        keys = [];
        clientsOf = [];
        times = [];
        receivedBy.clear();
        loopDelay.reset();
        break;
      case 'close':
        await Promise.all(graphqlClients.map((c) => c.dispose()));
        for (const ws of rawSockets) ws.terminate();
        reply({ type: 'closed' });
        process.exit(0);
    }
  })();
});

reply({ type: 'ready' });
