import { metrics } from '../../platform/index.ts';

/** Sum (seconds) and count of one label value of a histogram. */
export interface HistogramTotal {
  sum: number;
  count: number;
}

/**
 * Sum and count per value of `label` of the histogram `name` in this process's registry (the
 * roles a scenario starts in-process record there). Empty when the histogram does not exist.
 */
export async function histogramTotals(name: string, label: string): Promise<Map<string, HistogramTotal>> {
  const out = new Map<string, HistogramTotal>();
  for (const v of (await metrics.getSingleMetric(name)?.get())?.values ?? []) {
    const key = v.labels[label];
    const metricName = 'metricName' in v && typeof v.metricName === 'string' ? v.metricName : '';
    if (key === undefined || !(metricName.endsWith('_sum') || metricName.endsWith('_count'))) continue;
    const t = out.get(String(key)) ?? { sum: 0, count: 0 };
    if (metricName.endsWith('_sum')) t.sum = v.value;
    else t.count = v.value;
    out.set(String(key), t);
  }
  return out;
}

/** What was recorded between two readings of {@link histogramTotals}, per label value (only values with calls). */
export function histogramDelta(before: Map<string, HistogramTotal>, after: Map<string, HistogramTotal>): Map<string, HistogramTotal> {
  const out = new Map<string, HistogramTotal>();
  for (const [key, a] of after) {
    const b = before.get(key) ?? { sum: 0, count: 0 };
    if (a.count > b.count) out.set(key, { sum: a.sum - b.sum, count: a.count - b.count });
  }
  return out;
}
