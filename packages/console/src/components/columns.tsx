// The columns of each kind's list, as `kubectl get` prints them. Values are the API's own (phases,
// types): data, not interface text, so they stay untranslated like kubectl's.
import type { ColumnType } from 'antd/es/table';
import type { TFunction } from 'i18next';
import { Link } from 'react-router-dom';
import { objectRoute, type KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { age } from './age.js';

type Col = ColumnType<KubeObject>;
type Any = Record<string, unknown>;

/** Reads a nested field without a cast at every step. */
export function field(o: unknown, ...path: string[]): unknown {
  let v: unknown = o;
  for (const p of path) v = v && typeof v === 'object' ? (v as Any)[p] : undefined;
  return v;
}
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function podReady(o: KubeObject): string {
  const cs = (field(o, 'status', 'containerStatuses') as Any[] | undefined) ?? [];
  const total = ((field(o, 'spec', 'containers') as unknown[] | undefined) ?? []).length;
  return `${cs.filter((c) => c.ready === true).length}/${total}`;
}

function kindColumns(k: KindInfo, t: TFunction): Col[] {
  const c = (key: string, title: string, render: (o: KubeObject) => string, width = 110): Col => ({
    key,
    title: t(title),
    width,
    render: (_: unknown, o: KubeObject) => render(o),
  });
  switch (k.plural) {
    case 'pods':
      return [
        c('status', 'col.status', (o) =>
          text(field(o, 'metadata', 'deletionTimestamp') ? 'Terminating' : field(o, 'status', 'phase')),
        ),
        c('ready', 'col.ready', podReady, 80),
        c(
          'restarts',
          'col.restarts',
          (o) =>
            String(
              ((field(o, 'status', 'containerStatuses') as Any[] | undefined) ?? []).reduce(
                (n, s) => n + num(s.restartCount),
                0,
              ),
            ),
          90,
        ),
        c('node', 'col.node', (o) => text(field(o, 'spec', 'nodeName')), 120),
      ];
    case 'deployments':
    case 'statefulsets':
      return [
        c(
          'ready',
          'col.ready',
          (o) => `${num(field(o, 'status', 'readyReplicas'))}/${num(field(o, 'spec', 'replicas'))}`,
          80,
        ),
        c('upToDate', 'col.upToDate', (o) => String(num(field(o, 'status', 'updatedReplicas')))),
        c('available', 'col.available', (o) => String(num(field(o, 'status', 'availableReplicas')))),
      ];
    case 'daemonsets':
      return [
        c('desired', 'col.desired', (o) => String(num(field(o, 'status', 'desiredNumberScheduled')))),
        c('ready', 'col.ready', (o) => String(num(field(o, 'status', 'numberReady'))), 80),
      ];
    case 'jobs':
      return [
        c(
          'completions',
          'col.completions',
          (o) => `${num(field(o, 'status', 'succeeded'))}/${num(field(o, 'spec', 'completions')) || 1}`,
        ),
      ];
    case 'services':
      return [
        c('type', 'col.type', (o) => text(field(o, 'spec', 'type'))),
        c('clusterIP', 'col.clusterIP', (o) => text(field(o, 'spec', 'clusterIP')), 130),
        c(
          'ports',
          'col.ports',
          (o) =>
            ((field(o, 'spec', 'ports') as Any[] | undefined) ?? [])
              .map((p) => `${text(p.port)}/${text(p.protocol)}`)
              .join(','),
          140,
        ),
      ];
    case 'ingresses':
      return [
        c(
          'hosts',
          'col.hosts',
          (o) => ((field(o, 'spec', 'rules') as Any[] | undefined) ?? []).map((r) => text(r.host) || '*').join(','),
          200,
        ),
      ];
    case 'configmaps':
      return [
        c('keys', 'col.keys', (o) => String(Object.keys((field(o, 'data') as Any | undefined) ?? {}).length), 80),
      ];
    case 'secrets':
      // Table rows (kinds.ts): the API's printed Type and Data (key count), never the data itself.
      return [
        c('type', 'col.type', (o) => text(field(o, 'printed', 'Type')), 200),
        c('keys', 'col.keys', (o) => text(field(o, 'printed', 'Data')), 80),
      ];
    case 'persistentvolumeclaims':
      return [
        c('status', 'col.status', (o) => text(field(o, 'status', 'phase'))),
        c('capacity', 'col.capacity', (o) => text(field(o, 'status', 'capacity', 'storage'))),
        c('storageClass', 'col.storageClass', (o) => text(field(o, 'spec', 'storageClassName')), 130),
      ];
    case 'events':
      return [
        c('type', 'col.type', (o) => text(field(o, 'type')), 90),
        c('reason', 'col.reason', (o) => text(field(o, 'reason')), 130),
        c(
          'object',
          'col.object',
          (o) => `${text(field(o, 'involvedObject', 'kind'))}/${text(field(o, 'involvedObject', 'name'))}`,
          200,
        ),
        c('message', 'col.message', (o) => text(field(o, 'message')), 360),
      ];
    case 'namespaces':
      return [c('status', 'col.status', (o) => text(field(o, 'status', 'phase')))];
    case 'nodes':
      return [
        // As kubectl prints it: a cordoned node is "Ready,SchedulingDisabled".
        c(
          'status',
          'col.status',
          (o) =>
            `${((field(o, 'status', 'conditions') as Any[] | undefined) ?? []).find((x) => x.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady'}${field(o, 'spec', 'unschedulable') ? ',SchedulingDisabled' : ''}`,
          200,
        ),
        c('cpu', 'col.cpu', (o) => text(field(o, 'status', 'allocatable', 'cpu')), 80),
        c('memory', 'col.memory', (o) => text(field(o, 'status', 'allocatable', 'memory')), 120),
        c('version', 'col.version', (o) => text(field(o, 'status', 'nodeInfo', 'kubeletVersion'))),
      ];
    default:
      return [];
  }
}

export function columnsFor(k: KindInfo, t: TFunction, allNamespaces: boolean): Col[] {
  const name: Col = {
    key: 'name',
    title: t('col.name'),
    width: 260,
    render: (_: unknown, o: KubeObject) => (
      <Link to={objectRoute(k, o.metadata.namespace, o.metadata.name)}>{o.metadata.name}</Link>
    ),
  };
  const ns: Col = {
    key: 'namespace',
    title: t('col.namespace'),
    width: 150,
    render: (_: unknown, o: KubeObject) => o.metadata.namespace,
  };
  const ageCol: Col = {
    key: 'age',
    title: t('col.age'),
    width: 80,
    render: (_: unknown, o: KubeObject) => age(o.metadata.creationTimestamp),
  };
  return [name, ...(k.namespaced && allNamespaces ? [ns] : []), ...kindColumns(k, t), ageCol];
}
