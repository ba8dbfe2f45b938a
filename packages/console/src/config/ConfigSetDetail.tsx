// One ConfigSet: its current keys and values (each editable, dry run first), its versions with a
// per-key diff between any two, and who reads it. After a save the page follows the platform
// until the new version is published, then names the applications that roll it out.
import { Alert, Button, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { impactOf, publishedVersion } from '../api/configsets.js';
import {
  appsPath,
  configSetsPath,
  GROUP,
  type Application,
  type ConfigSet,
  type ConfigVersion,
} from '../api/platform.js';
import { useWatchList } from '../api/useWatchList.js';
import { ConfigSetVersions } from '../apps/ConfigVersions.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { EditKey, type Saved } from './EditKey.js';
import { Readers } from './Readers.js';
import { RollbackVersion } from './RollbackVersion.js';

interface Row {
  key: string;
  value: string;
  binary: boolean;
}

function Published({ cs, saved, apps }: { cs: ConfigSet; saved: Saved; apps: Application[] }) {
  const { t } = useTranslation();
  const version = publishedVersion(cs, saved.fromVersion, saved.generation);
  if (version === undefined)
    return (
      <Alert
        type="info"
        showIcon
        role="status"
        data-testid="publish-status"
        message={t('configsets.publishing', { name: cs.metadata.name })}
      />
    );
  const rolling = [
    ...new Set(
      impactOf(cs.metadata.name, saved.changes, apps)
        .filter((e) => e.effect === 'rollout')
        .map((e) => e.application),
    ),
  ];
  return (
    <Alert
      type="success"
      showIcon
      role="status"
      data-testid="publish-status"
      message={t('configsets.published', { name: cs.metadata.name, version })}
      description={
        rolling.length ? (
          <Space wrap>
            {t('configsets.rollingOut')}
            {rolling.map((a) => (
              <Link key={a} to={`/apps/${encodeURIComponent(cs.metadata.namespace ?? '')}/${encodeURIComponent(a)}`}>
                {a}
              </Link>
            ))}
          </Space>
        ) : (
          t('configsets.noRollout')
        )
      }
    />
  );
}

export default function ConfigSetDetail() {
  const { t } = useTranslation();
  const { namespace = '', name = '' } = useParams();
  const live = useWatchList(configSetsPath(namespace), { fieldSelector: `metadata.name=${name}` });
  const apps = useWatchList(appsPath(namespace));
  const cs = live.items[0] as ConfigSet | undefined;
  const [editing, setEditing] = useState<{ key?: string }>();
  const [saved, setSaved] = useState<Saved>();
  const [rollingBack, setRollingBack] = useState<ConfigVersion>();
  const back = <Link to="/configuration">{t('detail.back')}</Link>;
  if (live.error)
    return (
      <Space direction="vertical">
        {back}
        <ErrorAlert error={live.error} />
      </Space>
    );
  if (!live.loading && !cs)
    return (
      <Space direction="vertical">
        {back}
        <Alert type="warning" role="status" message={t('detail.gone')} />
      </Space>
    );
  if (!cs) return <Typography.Text>{t('app.loading')}</Typography.Text>;
  const rows: Row[] = [
    ...Object.entries(cs.spec.data ?? {}).map(([key, value]) => ({ key, value, binary: false })),
    ...Object.entries(cs.spec.binaryData ?? {}).map(([key, v]) => ({
      key,
      value: t('configsets.binary', { bytes: Math.floor((v.length * 3) / 4) }),
      binary: true,
    })),
  ].sort((a, b) => a.key.localeCompare(b.key));
  const mayPatch = { verb: 'patch', group: GROUP, resource: 'configsets', namespace, name };
  const data = (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table
        size="small"
        aria-label={t('configsets.dataOf', { name })}
        data-testid="configset-data"
        rowKey="key"
        pagination={false}
        dataSource={rows}
        columns={[
          { key: 'key', title: t('config.key'), dataIndex: 'key' },
          {
            key: 'value',
            title: t('configsets.value'),
            render: (_: unknown, r: Row) => (
              <Typography.Text code={!r.binary} style={{ whiteSpace: 'pre-wrap' }}>
                {r.value}
              </Typography.Text>
            ),
          },
          {
            key: 'edit',
            title: t('apps.actions'),
            render: (_: unknown, r: Row) =>
              r.binary ? (
                <Tag>{t('configsets.binaryReadOnly')}</Tag>
              ) : (
                <Allowed query={mayPatch}>
                  <Button size="small" data-testid={`edit-${r.key}`} onClick={() => setEditing({ key: r.key })}>
                    {/* The key is part of the name screen readers hear, hidden from sight (the row shows it). */}
                    {t('configsets.edit')}
                    <span className="visually-hidden">{` ${r.key}`}</span>
                  </Button>
                </Allowed>
              ),
          },
        ]}
      />
      <Allowed query={mayPatch}>
        <Button data-testid="add-key" onClick={() => setEditing({})}>
          {t('configsets.addKey')}
        </Button>
      </Allowed>
    </Space>
  );
  const tabs = [
    { key: 'data', label: t('configsets.data'), children: data },
    {
      key: 'versions',
      label: t('configsets.versions'),
      children: (
        <ConfigSetVersions
          namespace={namespace}
          name={name}
          rollback={(v) => (
            <Allowed query={mayPatch}>
              <Button size="small" onClick={() => setRollingBack(v)} data-testid={`rollback-config-${v.version}`}>
                {t('configsets.rollbackTo', { version: v.version })}
              </Button>
            </Allowed>
          )}
        />
      ),
    },
    {
      key: 'readers',
      label: t('configsets.readBy'),
      children: <Readers name={name} apps={apps.items as Application[]} />,
    },
  ];
  return (
    <section aria-labelledby="configset-title">
      {back}
      <Typography.Title level={1} id="configset-title" style={{ fontSize: 22, marginTop: 8 }}>
        {t('configsets.detailTitle', { namespace, name })}
      </Typography.Title>
      <Typography.Paragraph>
        {t('configsets.current', { version: cs.status?.version ?? t('configsets.unpublished') })}
      </Typography.Paragraph>
      {saved && (
        <div style={{ marginBottom: 12 }}>
          <Published cs={cs} saved={saved} apps={apps.items as Application[]} />
        </div>
      )}
      <Tabs items={tabs} />
      {rollingBack && (
        <RollbackVersion
          namespace={namespace}
          cs={cs}
          apps={apps.items as Application[]}
          to={rollingBack}
          onClose={() => setRollingBack(undefined)}
          onSaved={(s) => {
            setSaved(s);
            setRollingBack(undefined);
          }}
        />
      )}
      {editing && (
        <EditKey
          namespace={namespace}
          cs={cs}
          apps={apps.items as Application[]}
          initialKey={editing.key}
          onClose={() => setEditing(undefined)}
          onSaved={(s) => {
            setSaved(s);
            setEditing(undefined);
          }}
        />
      )}
    </section>
  );
}
