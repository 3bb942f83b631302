import type { MetricValue } from 'prom-client';

/** A metric value as histograms report it (the series name: `_bucket`, `_sum` or `_count`). */
type Sample = MetricValue<string> & { metricName?: string };
import { metrics } from '../../platform/index.ts';
import type { AppContext } from '../appContext.ts';
import { requireStaff } from '../auth/access.ts';

/** Current values of one metric on the app's registry; undefined when no role in this process registered it. */
async function valuesOf(name: string): Promise<Sample[] | undefined> {
  const metric = metrics.getSingleMetric(name);
  return metric ? (await metric.get()).values : undefined;
}

const sum = (values: MetricValue<string>[], keep: (v: MetricValue<string>) => boolean = () => true) => values.filter(keep).reduce((n, v) => n + v.value, 0);

/** Per projection: count and sum of the end-to-end lag histogram. */
function latencies(values: Sample[]): { projection: string; count: number; sumSeconds: number }[] {
  const byProjection = new Map<string, { projection: string; count: number; sumSeconds: number }>();
  for (const v of values) {
    const projection = String(v.labels['projection'] ?? '');
    const row = byProjection.get(projection) ?? { projection, count: 0, sumSeconds: 0 };
    if (v.metricName?.endsWith('_count')) row.count = v.value;
    else if (v.metricName?.endsWith('_sum')) row.sumSeconds = v.value;
    byProjection.set(projection, row);
  }
  return [...byProjection.values()].sort((a, b) => a.projection.localeCompare(b.projection));
}

/** `systemMetrics`: the dashboard's throughput and lag figures, over metrics that already exist. */
export const metricsResolvers = {
  Query: {
    async systemMetrics(_: unknown, _a: unknown, ctx: AppContext) {
      requireStaff(ctx.principal);
      const [published, http, endToEnd] = await Promise.all([
        valuesOf('orderflow_relay_published_total'),
        valuesOf('orderflow_http_requests_total'),
        valuesOf('orderflow_projector_end_to_end_seconds'),
      ]);
      return {
        sampledAt: new Date().toISOString(),
        eventsPublished: published ? sum(published) : null,
        graphqlRequests: http ? sum(http, (v) => v.labels['route'] === '/graphql') : 0,
        endToEnd: endToEnd ? latencies(endToEnd) : [],
      };
    },
  },
};
