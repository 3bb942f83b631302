/**
 * OpenTelemetry boot: imported FIRST by `ops/cli.ts`, so the SDK (and its context manager) is
 * registered before any other module asks for a tracer. Configured only by the standard `OTEL_*`
 * variables (exporter, endpoint, sampler, service name, resource attributes, …) and off unless a
 * trace exporter is named: with nothing set the app keeps the API's no-op tracer, whose cost is a
 * few function calls per span. Metrics stay on Prometheus and logs on pino, so the SDK's own metric
 * and log pipelines are off unless their `OTEL_*_EXPORTER` says otherwise.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

/** Whether the environment asks for traces: `OTEL_TRACES_EXPORTER` other than `none`, or an OTLP endpoint. */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (exporters.length > 0) return !exporters.includes('none');
  return Boolean(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT']);
}

/** `orderflow-<command>` (e.g. `orderflow-relay`) unless `OTEL_SERVICE_NAME` names the service. */
function serviceName(argv: readonly string[]): string {
  const command = argv.slice(2).find((a) => !a.startsWith('-')) ?? 'cli';
  return `orderflow-${command}`;
}

let sdk: NodeSDK | undefined;

if (tracingRequested()) {
  process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
  process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
  // Loaded only when asked for: it is the CLI's heaviest import (about 0.5 CPU-second per process start).
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  sdk = new NodeSDK({ serviceName: process.env['OTEL_SERVICE_NAME'] ?? serviceName(process.argv), instrumentations: [] });
  sdk.start();
}

/** Flushes and stops the SDK (spans still buffered are exported); a no-op when tracing is off. Never throws. */
export async function shutdownTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}
