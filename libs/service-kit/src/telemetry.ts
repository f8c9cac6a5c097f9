import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { collectDefaultMetrics, register } from 'prom-client';

let provider: NodeTracerProvider | undefined;

/**
 * Whether spans leave the process: only when an OTLP endpoint is configured
 * by the standard variables, and neither the SDK nor the exporter is turned
 * off. Without one, spans are still made (trace ids in logs and on events)
 * and dropped.
 */
export function exportsTraces(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  if (
    (env.OTEL_TRACES_EXPORTER ?? 'otlp')
      .split(',')
      .map((e) => e.trim())
      .includes('none')
  ) {
    return false;
  }
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/**
 * Starts OpenTelemetry tracing for the process (ADR 0020): W3C trace
 * context propagation, the sampler of `OTEL_TRACES_SAMPLER`, and OTLP/HTTP
 * export configured by `OTEL_EXPORTER_OTLP_*`; `OTEL_SERVICE_NAME` and
 * `OTEL_RESOURCE_ATTRIBUTES` override the resource. Once per process.
 */
export function startTracing(serviceName: string): void {
  if (provider || process.env.OTEL_SDK_DISABLED === 'true') return;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }).merge(
      detectResources({ detectors: [envDetector] }),
    ),
    spanProcessors: exportsTraces() ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [],
  });
  provider.register();
}

/** Sends the spans still buffered; at shutdown. */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  provider = undefined;
  await stopping?.shutdown().catch(() => undefined);
}

/**
 * Process metrics (CPU, memory, event-loop lag, GC) and a `service` label on
 * every series of the process's registry. Once per process.
 */
export function startMetrics(serviceName: string): void {
  register.setDefaultLabels({ service: serviceName });
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
}
