import { Readable } from "node:stream";
import { getMetricsFromStream, type PromHistogramData, type PromMetrics } from "prom2javascript";

/** Parses Prometheus text exposition with a real parser (it throws on any malformed line). */
export function parseExposition(text: string): Promise<PromMetrics> {
  return getMetricsFromStream(Readable.from([text]));
}

const matches = (labels: Record<string, string>, want: Record<string, string>): boolean =>
  Object.entries(want).every(([key, value]) => labels[key] === value);

/** The one sample of a counter or gauge whose labels include `labels`; throws when absent or ambiguous. */
export function sample(metrics: PromMetrics, name: string, labels: Record<string, string> = {}): number {
  const family = metrics[name];
  if (family === undefined) throw new Error(`no metric ${name} in the exposition`);
  const found = (family.data as { labels: Record<string, string>; value: number }[]).filter((d) =>
    matches(d.labels, labels),
  );
  if (found.length !== 1) {
    throw new Error(
      `${name}${JSON.stringify(labels)}: ${found.length} samples (${JSON.stringify(family.data)})`,
    );
  }
  return found[0].value;
}

/** The one histogram series whose labels include `labels`. */
export function histogram(
  metrics: PromMetrics,
  name: string,
  labels: Record<string, string>,
): PromHistogramData {
  const family = metrics[name];
  if (family?.type !== "histogram") throw new Error(`no histogram ${name} in the exposition`);
  const found = (family.data as PromHistogramData[]).filter((d) => matches(d.labels, labels));
  if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} series`);
  return found[0];
}
