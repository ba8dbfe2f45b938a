// The Configuration page: the ConfigSets of the namespace, live (the latest version, when and by
// whom it was published and why, its keys, and the applications that read it), then its Secrets.
import { Empty, Space, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { readersOf } from '../api/configsets.js';
import { appsPath, configSetsPath, type Application, type ConfigSet } from '../api/platform.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';
import { SecretsSection } from './Secrets.js';

export const configSetRoute = (ns: string, name: string): string =>
  `/configuration/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;

export default function ConfigSets() {
  const { t } = useTranslation();
  const { namespace } = useNamespace();
  // Every namespace's ConfigSets when "all namespaces" is picked: the cluster-wide path.
  const live = useWatchList(namespace ? configSetsPath(namespace) : '/apis/platform.wharf.dev/v1alpha1/configsets');
  const apps = useWatchList(appsPath(namespace));
  const sets = useMemo(
    () =>
      (live.items as ConfigSet[]).sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
      ),
    [live.items],
  );
  const readers = (cs: ConfigSet): string[] =>
    readersOf(
      cs.metadata.name,
      (apps.items as Application[]).filter((a) => a.metadata.namespace === cs.metadata.namespace),
    );
  return (
    <section aria-labelledby="configsets-title">
      <Typography.Title level={1} id="configsets-title" style={{ fontSize: 22 }}>
        {t('configsets.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('configsets.intro')}</Typography.Paragraph>
      {live.error ? (
        <ErrorAlert error={live.error} />
      ) : (
        <Table
          aria-label={t('list.table', { kind: t('configsets.title') })}
          data-testid="configsets-table"
          size="small"
          rowKey={(c) => `${c.metadata.namespace}/${c.metadata.name}`}
          dataSource={sets}
          loading={live.loading}
          pagination={false}
          locale={{ emptyText: <Empty description={t('configsets.empty')} /> }}
          columns={[
            {
              key: 'name',
              title: t('col.name'),
              render: (_: unknown, c: ConfigSet) => (
                <Link to={configSetRoute(c.metadata.namespace ?? '', c.metadata.name)}>{c.metadata.name}</Link>
              ),
            },
            ...(namespace
              ? []
              : [
                  {
                    key: 'namespace',
                    title: t('col.namespace'),
                    render: (_: unknown, c: ConfigSet) => c.metadata.namespace,
                  },
                ]),
            {
              key: 'version',
              title: t('col.version'),
              render: (_: unknown, c: ConfigSet) => (
                <span data-testid="configset-version">{c.status?.version ?? t('configsets.unpublished')}</span>
              ),
            },
            {
              key: 'keys',
              title: t('col.keys'),
              render: (_: unknown, c: ConfigSet) =>
                Object.keys({ ...c.spec.data, ...c.spec.binaryData })
                  .sort()
                  .join(', '),
            },
            {
              key: 'last',
              title: t('configsets.lastChange'),
              render: (_: unknown, c: ConfigSet) => {
                const h = c.status?.history?.[0];
                return h
                  ? `${age(h.time)}${h.author ? ` · ${h.author}` : ''}${h.message ? ` · ${h.message}` : ''}`
                  : '-';
              },
            },
            {
              key: 'readers',
              title: t('configsets.readBy'),
              render: (_: unknown, c: ConfigSet) => (
                <Space wrap size={[4, 4]}>
                  {readers(c).map((a) => (
                    <Tag key={a}>{a}</Tag>
                  ))}
                </Space>
              ),
            },
          ]}
        />
      )}
      <SecretsSection />
    </section>
  );
}
