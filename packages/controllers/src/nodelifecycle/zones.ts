// Zone disruption states and the per-zone rate of new NoExecute taints, as the real node
// lifecycle controller computes them: a zone with no ready node is fully disrupted, one with
// more than two not-ready nodes and at least 55 % of them partially disrupted. Tainting slows
// (or stops, in small clusters) in partially disrupted zones, and stops everywhere when every
// zone is fully disrupted (the controller's own connectivity is then the likelier fault).
import type { V1Node } from '@kubernetes/client-node';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface ZoneRates {
  /** New NoExecute taints per second in a healthy zone. @default 0.1 */
  readonly nodeEvictionRate: number;
  /** In a partially disrupted zone larger than largeClusterSizeThreshold. @default 0.01 */
  readonly secondaryNodeEvictionRate: number;
  /** @default 50 */
  readonly largeClusterSizeThreshold: number;
  /** @default 0.55 */
  readonly unhealthyZoneThreshold: number;
}

export const DEFAULT_ZONE_RATES: ZoneRates = {
  nodeEvictionRate: 0.1,
  secondaryNodeEvictionRate: 0.01,
  largeClusterSizeThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

export function zoneOf(node: V1Node): string {
  const l = node.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:${zone}` : '';
}

export function zoneState(ready: number, notReady: number, unhealthyThreshold: number): ZoneState {
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (ready + notReady) >= unhealthyThreshold) return 'PartialDisruption';
  return 'Normal';
}

/** Taints per second allowed in each zone; 0 halts. `counts`: zone → [ready, notReady]. */
export function zoneRates(
  counts: ReadonlyMap<string, readonly [number, number]>,
  rates: ZoneRates,
): Map<string, number> {
  const states = new Map([...counts].map(([z, [r, n]]) => [z, zoneState(r, n, rates.unhealthyZoneThreshold)] as const));
  const allDown = states.size > 0 && [...states.values()].every((s) => s === 'FullDisruption');
  const out = new Map<string, number>();
  for (const [zone, state] of states) {
    const [r, n] = counts.get(zone) ?? [0, 0];
    if (allDown) out.set(zone, 0);
    else if (state === 'PartialDisruption')
      out.set(zone, r + n > rates.largeClusterSizeThreshold ? rates.secondaryNodeEvictionRate : 0);
    else out.set(zone, rates.nodeEvictionRate);
  }
  return out;
}

/** A token bucket per zone with a burst of one, on the caller's clock. */
export class ZoneLimiter {
  private readonly last = new Map<string, number>();

  tryTake(zone: string, ratePerSecond: number, now: number): boolean {
    if (ratePerSecond <= 0) return false;
    const prev = this.last.get(zone);
    if (prev !== undefined && now - prev < 1000 / ratePerSecond) return false;
    this.last.set(zone, now);
    return true;
  }
}
