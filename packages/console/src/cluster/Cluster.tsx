// The cluster's version and health, as `wharf cluster validate` judges it: the API server's
// readiness checks, nodes (Ready, pressure, cordoned), the leader-elected control-plane
// components (who holds each lease, when it was last renewed) and what is wrong, live; and the
// read-only upgrade plan (UpgradePlan.tsx). Tags are
// uncoloured: antd's coloured tags fall short of AA contrast.
import { Alert, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiRaw } from '../api/client.js';
import { failedChecks, findings, leaseHealth, type Finding, type LeaseHealth } from '../api/cluster.js';
import { useWatchList } from '../api/useWatchList.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { UpgradePlan } from './UpgradePlan.js';

interface Version {
  gitVersion?: string;
  platform?: string;
  goVersion?: string;
  buildDate?: string;
}

/** The API server's version and failed readiness checks, asked again every 10 s (they have no watch). */
function useApiHealth(): { version?: Version; readyz: string[]; error?: unknown } {
  const [state, setState] = useState<{ version?: Version; readyz: string[]; error?: unknown }>({ readyz: [] });
  useEffect(() => {
    let live = true;
    const ask = async (): Promise<void> => {
      try {
        const version = (await (await apiRaw('/version')).json()) as Version;
        // Not ready is a 500 whose message still lists the checks.
        const readyz = await apiRaw('/readyz?verbose').then(
          async (r) => failedChecks(await r.text()),
          (e: Error) => failedChecks(e.message),
        );
        if (live) setState({ version, readyz });
      } catch (e) {
        if (live) setState({ readyz: [], error: e });
      }
    };
    void ask();
    const timer = setInterval(() => void ask(), 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  return state;
}

export default function Cluster() {
  const { t } = useTranslation();
  const api = useApiHealth();
  const nodes = useWatchList('/api/v1/nodes');
  const pods = useWatchList('/api/v1/pods');
  const leases = useWatchList('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
  const now = Date.now();
  const found = findings({ readyz: api.readyz, nodes: nodes.items, pods: pods.items, leases: leases.items }, now);
  const failures = found.filter((f) => f.severity === 'failure').length;
  const loading = nodes.loading || pods.loading || leases.loading || !api.version;
  const ready = (n: (typeof nodes.items)[number]): boolean =>
    ((n.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
  return (
    <section aria-labelledby="cluster-title">
      <Typography.Title level={1} id="cluster-title" style={{ fontSize: 22 }}>
        {t('cluster.title')}
      </Typography.Title>
      <ErrorAlert error={api.error ?? nodes.error ?? leases.error} />
      <Descriptions bordered size="small" column={2} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('cluster.version')}>
          <span data-testid="cluster-version">{api.version?.gitVersion ?? '…'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('cluster.platform')}>{api.version?.platform ?? '…'}</Descriptions.Item>
        <Descriptions.Item
          label={t('overview.nodesReady')}
        >{`${nodes.items.filter(ready).length} / ${nodes.items.length}`}</Descriptions.Item>
        <Descriptions.Item label={t('cluster.apiReady')}>
          {api.version ? (api.readyz.length ? t('cluster.notReady') : t('cluster.ready')) : '…'}
        </Descriptions.Item>
      </Descriptions>
      {!loading && (
        <Alert
          type={failures ? 'error' : found.length ? 'warning' : 'success'}
          showIcon
          role="status"
          data-testid="cluster-verdict"
          style={{ marginBottom: 16 }}
          message={
            failures
              ? t('cluster.invalid', { failures, warnings: found.length - failures })
              : t('cluster.valid', { warnings: found.length })
          }
        />
      )}
      <Space direction="vertical" style={{ width: '100%' }} size="large">
        {found.length > 0 && (
          <Table
            size="small"
            aria-label={t('cluster.findings')}
            data-testid="cluster-findings"
            rowKey={(f) => `${f.kind}/${f.name}/${f.message}`}
            pagination={false}
            dataSource={found}
            columns={[
              { key: 'kind', title: t('col.type'), dataIndex: 'kind' },
              { key: 'name', title: t('col.name'), dataIndex: 'name' },
              {
                key: 'severity',
                title: t('cluster.severity'),
                render: (_: unknown, f: Finding) => <Tag>{t(`cluster.${f.severity}`)}</Tag>,
              },
              { key: 'message', title: t('col.message'), dataIndex: 'message' },
            ]}
          />
        )}
        <div>
          <Typography.Title level={2} style={{ fontSize: 18 }}>
            {t('cluster.components')}
          </Typography.Title>
          <Table
            size="small"
            aria-label={t('cluster.components')}
            data-testid="cluster-components"
            rowKey="name"
            pagination={false}
            loading={leases.loading}
            dataSource={leases.items.map((l) => leaseHealth(l, now)).sort((a, b) => a.name.localeCompare(b.name))}
            columns={[
              { key: 'name', title: t('col.name'), dataIndex: 'name' },
              { key: 'holder', title: t('cluster.leader'), render: (_: unknown, l: LeaseHealth) => l.holder || '-' },
              {
                key: 'renewed',
                title: t('cluster.renewed'),
                render: (_: unknown, l: LeaseHealth) =>
                  l.renewedMsAgo === undefined
                    ? '-'
                    : t('cluster.secondsAgo', { count: Math.max(0, Math.round(l.renewedMsAgo / 1000)) }),
              },
              {
                key: 'health',
                title: t('col.status'),
                render: (_: unknown, l: LeaseHealth) => (
                  <Tag>{l.healthy ? t('cluster.healthy') : t('cluster.unhealthy')}</Tag>
                ),
              },
            ]}
          />
        </div>
        <UpgradePlan />
      </Space>
    </section>
  );
}
