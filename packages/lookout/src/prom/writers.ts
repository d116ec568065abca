import type { HistogramStore } from '../api/metrics';
import type { PromFamily, PromSample } from './family';

/** Writes one histogram series: cumulative `_bucket{le}` samples, `+Inf`, `_sum`, `_count`. */
export function writeHistogram(
  family: PromFamily,
  labels: Readonly<Record<string, string>>,
  store: HistogramStore,
  out: PromSample[],
): void {
  const bucketName = family.name + '_bucket';
  const { bounds, counts } = store;
  let acc = 0;
  for (let i = 0; i < bounds.length; i++) {
    acc += counts[i];
    out.push({ metricName: bucketName, labels: { ...labels, le: bounds[i] }, value: acc });
  }
  acc += counts[bounds.length];
  out.push({ metricName: bucketName, labels: { ...labels, le: '+Inf' }, value: acc });
  out.push({ metricName: family.name + '_sum', labels: { ...labels }, value: store.sum });
  out.push({ metricName: family.name + '_count', labels: { ...labels }, value: acc });
}
