// The versions of each ConfigSet an Application reads (newest first: who, when, why, which keys)
// and a per-key diff between any two of them, read from their immutable ConfigMaps, as
// `wharf config history` and `wharf config diff` show them.
import { Empty, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  changesBetween,
  configSetsPath,
  configVersionData,
  type Application,
  type ConfigSet,
  type ConfigVersion,
  type KeyChange,
} from '../api/platform.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

function Diff({ namespace, from, to }: { namespace: string; from: ConfigVersion; to: ConfigVersion }) {
  const { t } = useTranslation();
  const [changes, setChanges] = useState<KeyChange[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    setChanges(undefined);
    setError(undefined);
    Promise.all([configVersionData(namespace, from.configMap), configVersionData(namespace, to.configMap)]).then(
      ([a, b]) => live && setChanges(changesBetween(a, b)),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [namespace, from.configMap, to.configMap]);
  if (error) return <ErrorAlert error={error} />;
  return (
    <ChangesTable
      changes={changes}
      label={t('config.diffOf', { from: from.version, to: to.version })}
      testId="config-diff"
      before={t('config.versionN', { version: from.version })}
      after={t('config.versionN', { version: to.version })}
    />
  );
}

/** Per-key changes: key, added/changed/removed, the value before (struck out) and after. */
export function ChangesTable({
  changes,
  label,
  testId,
  before,
  after,
}: {
  changes: KeyChange[] | undefined;
  label: string;
  testId: string;
  before: string;
  after: string;
}) {
  const { t } = useTranslation();
  return (
    <Table
      size="small"
      aria-label={label}
      data-testid={testId}
      rowKey="key"
      loading={!changes}
      pagination={false}
      dataSource={changes ?? []}
      locale={{ emptyText: t('config.noChange') }}
      columns={[
        { key: 'key', title: t('config.key'), dataIndex: 'key' },
        {
          key: 'change',
          title: t('config.change'),
          render: (_: unknown, c: KeyChange) => <Tag>{t(`config.${c.change}`)}</Tag>,
        },
        {
          key: 'before',
          title: before,
          render: (_: unknown, c: KeyChange) =>
            c.before === undefined ? '' : <del className="diff-before">{c.before}</del>,
        },
        {
          key: 'after',
          title: after,
          render: (_: unknown, c: KeyChange) =>
            c.after === undefined ? '' : <ins className="diff-after">{c.after}</ins>,
        },
      ]}
    />
  );
}

/** `rollback`: a button per earlier version that offers rolling back to it (the Configuration page). */
export function ConfigSetVersions({
  namespace,
  name,
  rollback,
}: {
  namespace: string;
  name: string;
  rollback?: (v: ConfigVersion) => ReactNode;
}) {
  const { t } = useTranslation();
  const live = useWatchList(configSetsPath(namespace), { fieldSelector: `metadata.name=${name}` });
  const history = (live.items[0] as ConfigSet | undefined)?.status?.history ?? [];
  const [pick, setPick] = useState<{ from?: number; to?: number }>({});
  if (live.error) return <ErrorAlert error={live.error} />;
  // Default: the latest version against the one before it.
  const to = history.find((h) => h.version === pick.to) ?? history[0];
  const from = history.find((h) => h.version === pick.from) ?? history.find((h) => to && h.version < to.version) ?? to;
  const options = history.map((h) => ({ value: h.version, label: t('config.versionN', { version: h.version }) }));
  return (
    <section aria-label={t('config.of', { name })} data-testid={`configset-${name}`}>
      <Typography.Title level={3} style={{ fontSize: 16 }}>
        {t('config.of', { name })}
      </Typography.Title>
      <Table
        size="small"
        aria-label={t('config.versions', { name })}
        data-testid="config-versions"
        rowKey="version"
        loading={live.loading}
        pagination={false}
        dataSource={history}
        columns={[
          { key: 'version', title: t('config.version'), dataIndex: 'version' },
          { key: 'time', title: t('col.age'), render: (_: unknown, h: ConfigVersion) => age(h.time) },
          { key: 'author', title: t('config.author'), render: (_: unknown, h: ConfigVersion) => h.author ?? '-' },
          { key: 'message', title: t('col.message'), render: (_: unknown, h: ConfigVersion) => h.message ?? '' },
          { key: 'keys', title: t('col.keys'), render: (_: unknown, h: ConfigVersion) => h.keys.join(', ') },
          ...(rollback
            ? [
                {
                  key: 'rollback',
                  title: t('apps.actions'),
                  render: (_: unknown, h: ConfigVersion) =>
                    h.version === history[0]?.version ? t('apps.current') : rollback(h),
                },
              ]
            : []),
        ]}
      />
      {from && to && (
        <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
          <Space wrap>
            <Typography.Text>{t('config.compare')}</Typography.Text>
            <Select
              aria-label={t('config.from')}
              data-testid="diff-from"
              value={from.version}
              options={options}
              onChange={(v: number) => setPick((p) => ({ ...p, from: v }))}
              style={{ width: 140 }}
            />
            <Typography.Text>→</Typography.Text>
            <Select
              aria-label={t('config.to')}
              data-testid="diff-to"
              value={to.version}
              options={options}
              onChange={(v: number) => setPick((p) => ({ ...p, to: v }))}
              style={{ width: 140 }}
            />
          </Space>
          <Diff namespace={namespace} from={from} to={to} />
        </Space>
      )}
    </section>
  );
}

export function ConfigVersions({ app }: { app: Application }) {
  const { t } = useTranslation();
  const names = [...new Set(app.spec.components.flatMap((c) => (c.config ?? []).map((r) => r.configSet)))].sort();
  if (!names.length) return <Empty description={t('config.none')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      {names.map((n) => (
        <ConfigSetVersions key={n} namespace={app.metadata.namespace ?? ''} name={n} />
      ))}
    </Space>
  );
}
