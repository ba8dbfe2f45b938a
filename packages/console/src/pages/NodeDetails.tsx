// What a node page shows beyond the generic summary: its conditions (the node problem detector's
// too), capacity against allocatable, and the pods bound to it, live.
import { Table } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { KubeObject } from '../api/types.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export function NodeConditions({ node }: { node: KubeObject }) {
  const { t } = useTranslation();
  const conditions = (field(node, 'status', 'conditions') as NodeCondition[] | undefined) ?? [];
  return (
    <Table
      size="small"
      aria-label={t('node.conditions')}
      data-testid="node-conditions"
      rowKey="type"
      pagination={false}
      dataSource={conditions}
      columns={[
        { key: 'type', title: t('col.type'), dataIndex: 'type' },
        { key: 'status', title: t('col.status'), dataIndex: 'status' },
        { key: 'reason', title: t('col.reason'), dataIndex: 'reason' },
        { key: 'message', title: t('col.message'), dataIndex: 'message' },
        { key: 'age', title: t('col.age'), render: (_: unknown, c: NodeCondition) => age(c.lastTransitionTime) },
      ]}
    />
  );
}

export function NodeResources({ node }: { node: KubeObject }) {
  const { t } = useTranslation();
  const capacity = (field(node, 'status', 'capacity') as Record<string, string> | undefined) ?? {};
  const allocatable = (field(node, 'status', 'allocatable') as Record<string, string> | undefined) ?? {};
  const rows = [...new Set([...Object.keys(capacity), ...Object.keys(allocatable)])]
    .sort()
    .map((resource) => ({ resource, capacity: capacity[resource] ?? '', allocatable: allocatable[resource] ?? '' }));
  return (
    <Table
      size="small"
      aria-label={t('node.resources')}
      data-testid="node-resources"
      rowKey="resource"
      pagination={false}
      dataSource={rows}
      columns={[
        { key: 'resource', title: t('node.resource'), dataIndex: 'resource' },
        { key: 'capacity', title: t('col.capacity'), dataIndex: 'capacity' },
        { key: 'allocatable', title: t('node.allocatable'), dataIndex: 'allocatable' },
      ]}
    />
  );
}

export function NodePods({ node }: { node: KubeObject }) {
  const { t } = useTranslation();
  const pods = useWatchList('/api/v1/pods', { fieldSelector: `spec.nodeName=${node.metadata.name}` });
  if (pods.error) return <ErrorAlert error={pods.error} />;
  const rows = [...pods.items].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  return (
    <Table
      size="small"
      aria-label={t('node.pods', { count: rows.length })}
      data-testid="node-pods"
      rowKey={(p) => p.metadata.uid ?? p.metadata.name}
      loading={pods.loading}
      pagination={false}
      dataSource={rows}
      title={() => t('node.pods', { count: rows.length })}
      columns={[
        {
          key: 'name',
          title: t('col.name'),
          render: (_: unknown, p: KubeObject) => (
            <Link
              to={`/r/pods/${encodeURIComponent(p.metadata.namespace ?? '')}/${encodeURIComponent(p.metadata.name)}`}
            >
              {p.metadata.name}
            </Link>
          ),
        },
        { key: 'namespace', title: t('col.namespace'), render: (_: unknown, p: KubeObject) => p.metadata.namespace },
        {
          key: 'status',
          title: t('col.status'),
          render: (_: unknown, p: KubeObject) => String(field(p, 'status', 'phase') ?? ''),
        },
        { key: 'age', title: t('col.age'), render: (_: unknown, p: KubeObject) => age(p.metadata.creationTimestamp) },
      ]}
    />
  );
}
