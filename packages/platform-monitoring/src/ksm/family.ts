// A kube-state-metrics family as data: its name, help, type, and how one object of its kind turns
// into samples. Pure; the runner (ksm.ts) feeds the informers' objects through these at scrape time.
import { quantityValue } from '@wharf/api';

export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family<T> {
  readonly name: string;
  readonly help: string;
  /** @default 'gauge' */
  readonly type?: 'gauge' | 'counter';
  readonly samples: (obj: T) => readonly Sample[];
}

/** true/false/unknown samples of a condition status, 1 on the one that holds (kube-state-metrics' shape). */
export function conditionSamples(base: Record<string, string>, status: string | undefined, label = 'status'): Sample[] {
  const s = (status ?? 'Unknown').toLowerCase();
  return ['true', 'false', 'unknown'].map((v) => ({ labels: { ...base, [label]: v }, value: v === s ? 1 : 0 }));
}

/** A resource list (requests, limits, capacity) as samples with kube-state-metrics' resource/unit labels. */
export function resourceSamples(
  base: Record<string, string>,
  list: Readonly<Record<string, unknown>> | undefined,
): Sample[] {
  const out: Sample[] = [];
  for (const [name, q] of Object.entries(list ?? {})) {
    const value = quantityValue(q);
    if (value === undefined) continue;
    const unit =
      name === 'cpu'
        ? 'core'
        : name === 'pods'
          ? 'integer'
          : name === 'memory' || name.includes('storage') || name.startsWith('hugepages-')
            ? 'byte'
            : 'integer';
    out.push({ labels: { ...base, resource: name.replace(/[^a-zA-Z0-9_]/g, '_'), unit }, value });
  }
  return out;
}

/** Kubernetes label keys as kube-state-metrics writes them (label_ + sanitised). */
export function sanitizeLabel(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}
