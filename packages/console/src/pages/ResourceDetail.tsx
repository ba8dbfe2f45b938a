// One object: its summary, forms for the common edits (a workload's containers, a Service's ports),
// YAML (editable), logs for pods, and its events, all live.
import { Alert, Descriptions, Space, Table, Tabs, Tag, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { collectionPath, kindByPlural, type KindInfo } from '../api/kinds.js';
import { redactSecret } from '../api/redact.js';
import type { KubeObject } from '../api/types.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { Actions } from './Actions.js';
import { NodeConditions, NodePods, NodeResources } from './NodeDetails.js';
import { NodeDrain } from './NodeDrain.js';

const YamlEditor = lazy(() => import('./YamlEditor.js'));
const PodLogs = lazy(() => import('./PodLogs.js'));
const PodTerminal = lazy(() => import('./PodTerminal.js'));
const ContainerForms = lazy(() => import('./ContainerForms.js'));
const ServicePortsForm = lazy(() => import('./ServicePortsForm.js'));

/** The kinds whose common edits have forms: a pod template's containers, a Service's ports. */
const WITH_CONTAINER_FORMS = new Set(['deployments', 'statefulsets', 'daemonsets']);

function Tags({ m }: { m: Record<string, string> | undefined }) {
  const { t } = useTranslation();
  const entries = Object.entries(m ?? {});
  if (!entries.length) return <>{t('detail.none')}</>;
  return (
    <Space wrap size={[4, 4]}>
      {entries.map(([k, v]) => (
        <Tag key={k} style={{ whiteSpace: 'normal', wordBreak: 'break-all', maxWidth: '100%' }}>{`${k}=${v}`}</Tag>
      ))}
    </Space>
  );
}

function Summary({ obj }: { obj: KubeObject }) {
  const { t } = useTranslation();
  const m = redactSecret(obj).metadata;
  const dataKeys =
    obj.kind === 'Secret' || obj.kind === 'ConfigMap'
      ? Object.keys((field(obj, 'data') as Record<string, unknown> | undefined) ?? {})
      : undefined;
  return (
    <Descriptions bordered size="small" column={1} labelStyle={{ width: 140, whiteSpace: 'nowrap' }}>
      <Descriptions.Item label={t('col.name')}>{m.name}</Descriptions.Item>
      {m.namespace && <Descriptions.Item label={t('col.namespace')}>{m.namespace}</Descriptions.Item>}
      <Descriptions.Item
        label={t('detail.created')}
      >{`${m.creationTimestamp ?? ''} (${age(m.creationTimestamp)})`}</Descriptions.Item>
      <Descriptions.Item label={t('detail.uid')}>{m.uid}</Descriptions.Item>
      <Descriptions.Item label={t('detail.labels')}>
        <Tags m={m.labels} />
      </Descriptions.Item>
      <Descriptions.Item label={t('detail.annotations')}>
        <Tags m={m.annotations} />
      </Descriptions.Item>
      {dataKeys && (
        <Descriptions.Item label={t('detail.data')}>
          {obj.kind === 'Secret'
            ? dataKeys.map((k) => `${k}: (${t('detail.hidden')})`).join(', ')
            : dataKeys.join(', ') || t('detail.none')}
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}

function ObjectEvents({ k, obj }: { k: KindInfo; obj: KubeObject }) {
  const { t } = useTranslation();
  const ns = obj.metadata.namespace;
  const events = useWatchList(ns || !k.namespaced ? `/api/v1${ns ? `/namespaces/${ns}` : ''}/events` : undefined, {
    fieldSelector: `involvedObject.name=${obj.metadata.name},involvedObject.kind=${k.kind}`,
  });
  if (events.error) return <ErrorAlert error={events.error} />;
  return (
    <Table
      size="small"
      aria-label={t('detail.events')}
      rowKey={(e) => e.metadata.uid ?? e.metadata.name}
      dataSource={events.items}
      pagination={false}
      locale={{ emptyText: t('detail.noEvents') }}
      columns={[
        { key: 'type', title: t('col.type'), render: (_: unknown, e: KubeObject) => String(field(e, 'type') ?? '') },
        {
          key: 'reason',
          title: t('col.reason'),
          render: (_: unknown, e: KubeObject) => String(field(e, 'reason') ?? ''),
        },
        {
          key: 'message',
          title: t('col.message'),
          render: (_: unknown, e: KubeObject) => String(field(e, 'message') ?? ''),
        },
        { key: 'count', title: t('col.count'), render: (_: unknown, e: KubeObject) => String(field(e, 'count') ?? 1) },
      ]}
    />
  );
}

export default function ResourceDetail() {
  const { t } = useTranslation();
  const { kind: plural, namespace: nsParam, name = '' } = useParams();
  const k = kindByPlural(plural);
  const namespace = k?.namespaced ? nsParam : undefined;
  const live = useWatchList(k ? collectionPath(k, namespace) : undefined, { fieldSelector: `metadata.name=${name}` });
  if (!k) return <Alert type="error" message={plural} />;
  const obj = live.items[0];
  const back = <Link to={`/r/${k.plural}`}>{t('detail.back')}</Link>;
  if (live.error)
    return (
      <Space direction="vertical">
        {back}
        <ErrorAlert error={live.error} />
      </Space>
    );
  if (!live.loading && !obj)
    return (
      <Space direction="vertical">
        {back}
        <Alert type="warning" role="status" message={t('detail.gone')} />
      </Space>
    );
  if (!obj) return <Typography.Text>{t('app.loading')}</Typography.Text>;
  const tabs = [
    { key: 'summary', label: t('detail.summary'), children: <Summary obj={obj} /> },
    ...(WITH_CONTAINER_FORMS.has(k.plural) || k.plural === 'services'
      ? [
          {
            key: 'edit',
            label: t('edit.tab'),
            children: (
              <Suspense fallback={t('app.loading')}>
                {k.plural === 'services' ? <ServicePortsForm k={k} obj={obj} /> : <ContainerForms k={k} obj={obj} />}
              </Suspense>
            ),
          },
        ]
      : []),
    {
      key: 'yaml',
      label: t('detail.yaml'),
      children: (
        <Suspense fallback={t('app.loading')}>
          <YamlEditor k={k} obj={obj} />
        </Suspense>
      ),
    },
    ...(k.plural === 'pods'
      ? [
          {
            key: 'logs',
            label: t('detail.logs'),
            children: (
              <Suspense fallback={t('app.loading')}>
                <PodLogs pod={obj} />
              </Suspense>
            ),
          },
          {
            key: 'terminal',
            label: t('terminal.tab'),
            children: (
              <Suspense fallback={t('app.loading')}>
                <PodTerminal pod={obj} />
              </Suspense>
            ),
          },
        ]
      : []),
    ...(k.plural === 'nodes'
      ? [
          { key: 'conditions', label: t('node.conditions'), children: <NodeConditions node={obj} /> },
          { key: 'resources', label: t('node.resources'), children: <NodeResources node={obj} /> },
          { key: 'pods', label: t('nav.pods'), children: <NodePods node={obj} /> },
        ]
      : []),
    { key: 'events', label: t('detail.events'), children: <ObjectEvents k={k} obj={obj} /> },
  ];
  return (
    <section aria-labelledby="detail-title">
      {back}
      <Typography.Title
        level={1}
        id="detail-title"
        style={{ fontSize: 22, marginTop: 8 }}
      >{`${k.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`}</Typography.Title>
      <Actions k={k} obj={obj} />
      {k.plural === 'nodes' && <NodeDrain node={obj} />}
      <Tabs items={tabs} destroyInactiveTabPane style={{ marginTop: 16 }} />
    </section>
  );
}
