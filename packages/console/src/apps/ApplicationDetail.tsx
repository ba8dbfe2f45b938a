// One Application: state, URL, components (ready/desired, images, scale), conditions with their
// reasons, and tabs for its revisions (rollback), config versions (per-key diff), conditions, the
// logs of all pods of a component and a shell in one of them.
import { Alert, Descriptions, Space, Table, Tabs, Tag, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { appsPath, readyOf, type Application, type Condition } from '../api/platform.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { ConfigVersions } from './ConfigVersions.js';
import { Revisions } from './Revisions.js';
import { ScaleComponent } from './ScaleComponent.js';
import { StateTag } from './StateTag.js';

const ComponentLogs = lazy(() => import('./ComponentLogs.js'));
const AppTerminal = lazy(() => import('./AppTerminal.js'));

function Components({ app }: { app: Application }) {
  const { t } = useTranslation();
  const pins = app.status?.images ?? [];
  return (
    <Table
      size="small"
      aria-label={t('apps.components')}
      data-testid="components-table"
      rowKey="name"
      pagination={false}
      dataSource={app.spec.components}
      columns={[
        { key: 'name', title: t('apps.component'), dataIndex: 'name' },
        {
          key: 'ready',
          title: t('col.ready'),
          render: (_: unknown, c) => {
            const r = readyOf(app, c.name);
            return <span data-testid={`component-ready-${c.name}`}>{`${r.ready}/${r.desired}`}</span>;
          },
        },
        {
          key: 'updated',
          title: t('col.upToDate'),
          render: (_: unknown, c) => app.status?.components?.find((x) => x.name === c.name)?.updatedReplicas ?? 0,
        },
        {
          key: 'url',
          title: t('apps.url'),
          render: (_: unknown, c) => app.status?.components?.find((x) => x.name === c.name)?.url ?? '-',
        },
        {
          key: 'images',
          title: t('apps.images'),
          render: (_: unknown, c) => {
            const mine = pins.filter((p) => p.component === c.name);
            const images = mine.length
              ? mine.map((p) => `${p.role}: ${p.image}`)
              : [c.runtime.image, ...(c.artifacts ?? []).map((a) => a.image)];
            return (
              <Space direction="vertical" size={0}>
                {images.map((i) => (
                  <Typography.Text key={i} code>
                    {i}
                  </Typography.Text>
                ))}
              </Space>
            );
          },
        },
        {
          key: 'scale',
          title: t('detail.scale'),
          render: (_: unknown, c) => <ScaleComponent app={app} component={c.name} />,
        },
      ]}
    />
  );
}

function Conditions({ conditions }: { conditions: Condition[] }) {
  const { t } = useTranslation();
  return (
    <Table
      size="small"
      aria-label={t('apps.conditions')}
      data-testid="conditions-table"
      rowKey="type"
      pagination={false}
      dataSource={conditions}
      columns={[
        { key: 'type', title: t('col.type'), dataIndex: 'type' },
        { key: 'status', title: t('col.status'), dataIndex: 'status' },
        { key: 'reason', title: t('col.reason'), dataIndex: 'reason' },
        { key: 'message', title: t('col.message'), dataIndex: 'message' },
        { key: 'age', title: t('col.age'), render: (_: unknown, c: Condition) => age(c.lastTransitionTime) },
      ]}
    />
  );
}

export default function ApplicationDetail() {
  const { t } = useTranslation();
  const { namespace = '', name = '' } = useParams();
  const live = useWatchList(appsPath(namespace), { fieldSelector: `metadata.name=${name}` });
  const app = live.items[0] as Application | undefined;
  const back = <Link to="/apps">{t('detail.back')}</Link>;
  if (live.error)
    return (
      <Space direction="vertical">
        {back}
        <ErrorAlert error={live.error} />
      </Space>
    );
  if (!live.loading && !app)
    return (
      <Space direction="vertical">
        {back}
        <Alert type="warning" role="status" message={t('detail.gone')} />
      </Space>
    );
  if (!app) return <Typography.Text>{t('app.loading')}</Typography.Text>;
  const s = app.status ?? {};
  const tabs = [
    { key: 'revisions', label: t('apps.revisions'), children: <Revisions app={app} /> },
    { key: 'config', label: t('apps.config'), children: <ConfigVersions app={app} /> },
    { key: 'conditions', label: t('apps.conditions'), children: <Conditions conditions={s.conditions ?? []} /> },
    {
      key: 'logs',
      label: t('detail.logs'),
      children: (
        <Suspense fallback={t('app.loading')}>
          <ComponentLogs app={app} />
        </Suspense>
      ),
    },
    {
      key: 'terminal',
      label: t('terminal.tab'),
      children: (
        <Suspense fallback={t('app.loading')}>
          <AppTerminal app={app} />
        </Suspense>
      ),
    },
  ];
  return (
    <section aria-labelledby="app-title">
      {back}
      <Typography.Title level={1} id="app-title" style={{ fontSize: 22, marginTop: 8 }}>
        {t('apps.title', { namespace, name })}
      </Typography.Title>
      <Descriptions bordered size="small" column={2} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('col.status')}>
          <StateTag app={app} />
        </Descriptions.Item>
        <Descriptions.Item label={t('apps.revision')}>
          <span data-testid="app-revision">{s.revision ?? '-'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('apps.url')}>
          {s.url ? (
            <a href={s.url} target="_blank" rel="noreferrer">
              {s.url}
            </a>
          ) : (
            '-'
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('apps.rollout')}>
          {s.rollout ? (
            <Tag data-testid="app-rollout">
              {t('apps.rolloutOf', { revision: s.rollout.revision, from: s.rollout.from, phase: s.rollout.phase })}
            </Tag>
          ) : (
            t('apps.noRollout')
          )}
          {s.rollout?.message && <div>{s.rollout.message}</div>}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('apps.components')}
      </Typography.Title>
      <Components app={app} />
      <Tabs items={tabs} style={{ marginTop: 16 }} />
    </section>
  );
}
