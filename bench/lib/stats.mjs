// Latency statistics and a closed-loop load driver: `concurrency` workers each issue one request
// at a time until the duration (or count) is used up; every completed request records its latency.

/** The q-quantile (0..1) of a sorted array, nearest-rank. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function summarize(latencies) {
  const s = Float64Array.from(latencies).sort();
  return { n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s.length ? s[s.length - 1] : NaN };
}

/**
 * Runs `op(worker, seq)` from `concurrency` workers for `durationMs` (or until `count` ops in all).
 * Returns ops/s over the wall time, latency percentiles in ms, and the number of failed ops
 * (a failing op throws; its latency is not recorded). `keepLatencies` adds every latency (to merge runs).
 */
export async function runLoad({ concurrency, durationMs = Infinity, count = Infinity, op, keepLatencies = false }) {
  const latencies = [];
  let issued = 0;
  let errors = 0;
  let firstError;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (w) => {
    let seq = 0;
    while (issued < count && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      try {
        await op(w, seq++);
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        firstError ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = performance.now() - start;
  const s = summarize(latencies);
  return {
    ...s,
    errors,
    firstError,
    elapsedMs: elapsed,
    opsPerSec: (s.n / elapsed) * 1000,
    ...(keepLatencies ? { latencies } : {}),
  };
}

export function fmtMs(v) {
  if (!Number.isFinite(v)) return '–';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function fmtNum(v) {
  if (!Number.isFinite(v)) return '–';
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

export function fmtRatio(v) {
  return Number.isFinite(v) ? `${v.toFixed(2)}×` : '–';
}
