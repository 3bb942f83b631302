import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ProjectionStatusDocument, SystemMetricsDocument, type OrderflowClient, type SystemMetricsQuery } from '../../clients/ts/src/index.ts';

const POLL_MS = 2_000;
const WINDOW = 90;

/**
 * Throughput and lag, sampled every 2 s: events published per second and end-to-end lag per
 * projection (differences of the API's counters between two samples), on a uPlot chart; projection
 * lag, open dead letters and rebuild progress from `projectionStatus` (operators only).
 */
export function metricsPanel(client: OrderflowClient, el: { chart: HTMLElement; figures: HTMLElement; projections: HTMLTableSectionElement; operatorNote: HTMLElement }) {
  const times: number[] = [];
  const rates: (number | null)[] = [];
  const lags: (number | null)[] = [];
  const plot = new uPlot({
    width: 640, height: 220,
    series: [{}, { label: 'events/s', stroke: '#3355dd', scale: 'rate' }, { label: 'end-to-end lag (ms)', stroke: '#dd5533', scale: 'ms' }],
    axes: [{}, { scale: 'rate' }, { scale: 'ms', side: 1, grid: { show: false } }],
  }, [times, rates, lags], el.chart);
  let previous: { at: number; m: SystemMetricsQuery['systemMetrics'] } | undefined;
  let operator = true;

  async function sample(): Promise<void> {
    const { systemMetrics: m } = await client.query(SystemMetricsDocument, {}, { retry: false });
    const at = Date.now() / 1000;
    let rate: number | null = null;
    let lagMs: number | null = null;
    if (previous) {
      const dt = at - previous.at;
      if (m.eventsPublished !== null && previous.m.eventsPublished !== null) rate = Math.max(0, (m.eventsPublished - previous.m.eventsPublished) / dt);
      const perProjection = m.endToEnd.map((p) => {
        const before = previous?.m.endToEnd.find((q) => q.projection === p.projection);
        const n = p.count - (before?.count ?? 0);
        return n > 0 ? ((p.sumSeconds - (before?.sumSeconds ?? 0)) / n) * 1000 : null;
      });
      const known = perProjection.filter((x): x is number => x !== null);
      lagMs = known.length ? Math.max(...known) : null;
      el.figures.querySelector('#throughput')!.textContent = rate === null ? 'n/a' : `${rate.toFixed(1)} events/s`;
      el.figures.querySelector('#e2e-lag')!.textContent = lagMs === null ? (m.endToEnd.length ? 'idle' : 'n/a') : `${lagMs.toFixed(0)} ms`;
      el.figures.querySelector('#pipeline-note')!.textContent = m.eventsPublished === null || !m.endToEnd.length ? 'n/a: the relay or the projectors run in another process than this API (their metrics are on their own /metrics).' : '';
    }
    previous = { at, m };
    times.push(at);
    rates.push(rate);
    lags.push(lagMs);
    if (times.length > WINDOW) [times, rates, lags].forEach((a) => a.shift());
    plot.setData([times, rates, lags]);
    if (operator) await projections();
  }

  async function projections(): Promise<void> {
    try {
      const { projectionStatus } = await client.query(ProjectionStatusDocument, {}, { retry: false });
      el.projections.replaceChildren(...projectionStatus.map((p) => {
        const row = document.createElement('tr');
        const rebuild = p.rebuild && p.rebuild.status.toLowerCase() === 'running' ? `${p.rebuild.phase} ${p.rebuild.eventsDone}/${p.rebuild.totalEstimate}${p.rebuild.etaSeconds != null ? `, ETA ${Math.ceil(p.rebuild.etaSeconds)} s` : ''}` : '—';
        for (const text of [p.name, String(p.lag), String(p.deadLettersOpen), rebuild]) row.insertCell().textContent = text;
        return row;
      }));
      el.figures.querySelector('#dead-letters')!.textContent = String(projectionStatus.reduce((n, p) => n + p.deadLettersOpen, 0));
    } catch (err) {
      if ((err as { code?: string }).code !== 'FORBIDDEN') throw err;
      operator = false;
      el.operatorNote.textContent = 'Projection lag, dead letters and rebuilds need an operator token.';
    }
  }

  const loop = () => void sample().catch(() => undefined).finally(() => setTimeout(loop, POLL_MS));
  loop();
}
