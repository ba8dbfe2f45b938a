import { BUILTIN_RESOURCES } from '@wharf/api';
import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString();

function info(group: string): ResourceInfo {
  return BUILTIN_RESOURCES.find((r) => r.group === group && r.resource === 'events') as ResourceInfo;
}

function cells(group: string, event: Record<string, unknown>): unknown[] {
  return toTable(info(group), [event as KubeObject], { now: NOW }).rows[0]?.cells ?? [];
}

describe('events', () => {
  it('core/v1 events print LAST SEEN, TYPE, REASON, OBJECT, MESSAGE and the wide columns', () => {
    const t = toTable(info(''), [], { now: NOW });
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message',
    ]);
    expect(t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name)).toEqual([
      'Subobject',
      'Source',
      'First Seen',
      'Count',
      'Name',
    ]);
    const event = {
      metadata: { name: 'web-1.17c', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{app}' },
      reason: 'Pulled',
      message: 'Successfully pulled image "nginx"\n',
      source: { component: 'kubelet', host: 'node-a' },
      firstTimestamp: ago(300),
      lastTimestamp: ago(45),
      count: 3,
      type: 'Normal',
    };
    expect(cells('', event)).toEqual([
      '45s',
      'Normal',
      'Pulled',
      'pod/web-1',
      'spec.containers{app}',
      'kubelet, node-a',
      'Successfully pulled image "nginx"',
      '5m',
      3,
      'web-1.17c',
    ]);
  });

  it('events without timestamps fall back to eventTime and count 1', () => {
    const event = {
      metadata: { name: 'e' },
      involvedObject: { kind: 'Node' },
      eventTime: ago(20),
      reportingComponent: 'scheduler',
      type: 'Warning',
      reason: 'R',
      message: 'm',
    };
    expect(cells('', event)).toEqual(['20s', 'Warning', 'R', 'node', '', 'scheduler', 'm', '20s', 1, 'e']);
  });

  it('events.k8s.io/v1 events read regarding, note and series', () => {
    const event = {
      metadata: { name: 'web.1' },
      regarding: { kind: 'Deployment', name: 'web' },
      note: 'Scaled up replica set web-7d to 3',
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      eventTime: ago(600),
      series: { count: 4, lastObservedTime: ago(30) },
      reportingController: 'deployment-controller',
    };
    expect(cells('events.k8s.io', event)).toEqual([
      '30s',
      'Normal',
      'ScalingReplicaSet',
      'deployment/web',
      '',
      'deployment-controller',
      'Scaled up replica set web-7d to 3',
      '10m',
      4,
      'web.1',
    ]);
  });
});
