// The Applications of the namespace, live: state, ready/desired per component, URL, and the
// conditions that are not as they should be, with their reasons.
import { Button, Empty, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { appsPath, GROUP, readyOf, type Application } from '../api/platform.js';
import { Allowed } from '../components/Allowed.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';
import { StateTag } from './StateTag.js';

export const appRoute = (a: Application): string =>
  `/apps/${encodeURIComponent(a.metadata.namespace ?? '')}/${encodeURIComponent(a.metadata.name)}`;

export default function Applications() {
  const { t } = useTranslation();
  const { namespace } = useNamespace();
  const navigate = useNavigate();
  const live = useWatchList(appsPath(namespace));
  const apps = useMemo(
    () =>
      (live.items as Application[]).sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
      ),
    [live.items],
  );
  return (
    <section aria-labelledby="apps-title">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} align="center">
        <Typography.Title level={1} id="apps-title" style={{ fontSize: 22 }}>
          {t('nav.applications')}
        </Typography.Title>
        <Allowed query={{ verb: 'create', group: GROUP, resource: 'applications', namespace: namespace || 'default' }}>
          <Button type="primary" onClick={() => navigate('/apps/new')} data-testid="new-app">
            {t('newApp.title')}
          </Button>
        </Allowed>
      </Space>
      {live.error ? (
        <ErrorAlert error={live.error} />
      ) : (
        <Table
          aria-label={t('list.table', { kind: t('nav.applications') })}
          data-testid="apps-table"
          size="small"
          rowKey={(a) => a.metadata.uid ?? `${a.metadata.namespace}/${a.metadata.name}`}
          dataSource={apps}
          loading={live.loading}
          pagination={false}
          locale={{ emptyText: <Empty description={t('apps.empty')} /> }}
          columns={[
            {
              key: 'name',
              title: t('col.name'),
              render: (_: unknown, a: Application) => <Link to={appRoute(a)}>{a.metadata.name}</Link>,
            },
            ...(namespace
              ? []
              : [
                  {
                    key: 'namespace',
                    title: t('col.namespace'),
                    render: (_: unknown, a: Application) => a.metadata.namespace,
                  },
                ]),
            { key: 'state', title: t('col.status'), render: (_: unknown, a: Application) => <StateTag app={a} /> },
            {
              key: 'revision',
              title: t('apps.revision'),
              render: (_: unknown, a: Application) => a.status?.revision ?? '-',
            },
            {
              key: 'ready',
              title: t('apps.readyPerComponent'),
              render: (_: unknown, a: Application) => (
                <Space wrap size={[4, 4]}>
                  {a.spec.components.map((c) => {
                    const r = readyOf(a, c.name);
                    return (
                      <Tag key={c.name} data-testid={`ready-${c.name}`}>{`${c.name} ${r.ready}/${r.desired}`}</Tag>
                    );
                  })}
                </Space>
              ),
            },
            {
              key: 'url',
              title: t('apps.url'),
              render: (_: unknown, a: Application) =>
                a.status?.url ? (
                  <a href={a.status.url} target="_blank" rel="noreferrer">
                    {a.status.url}
                  </a>
                ) : (
                  '-'
                ),
            },
            {
              key: 'conditions',
              title: t('apps.conditions'),
              render: (_: unknown, a: Application) => (
                <Space wrap size={[4, 4]}>
                  {(a.status?.conditions ?? []).map((c) => (
                    <Tooltip key={c.type} title={c.message}>
                      <Tag>{`${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`}</Tag>
                    </Tooltip>
                  ))}
                </Space>
              ),
            },
            {
              key: 'age',
              title: t('col.age'),
              render: (_: unknown, a: Application) => age(a.metadata.creationTimestamp),
            },
          ]}
        />
      )}
    </section>
  );
}
