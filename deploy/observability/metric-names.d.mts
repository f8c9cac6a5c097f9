/** Types of metric-names.mjs, for the TypeScript tests that read it. */
export interface MetricDefinition {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: string[];
  help?: string;
  services?: string[];
}
export const SERVICES: { name: string; port: number }[];
export const SERVICE_LABEL: string;
export const METRICS: MetricDefinition[];
export const DEFAULT_METRICS: MetricDefinition[];
export const SCRAPE_METRICS: string[];
export const TARGET_LABELS: string[];
export function seriesNames(metric: MetricDefinition): string[];
export function seriesLabels(metric: MetricDefinition, series: string): string[];
export function knownSeries(): Map<string, { metric: MetricDefinition; labels: string[] }>;
