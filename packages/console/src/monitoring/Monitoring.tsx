// Monitoring: CPU and memory over time of a node or a pod, an application's requests per second
// through the gateway, and Prometheus's alerts, all through Wharf's query API with the user's RBAC.
import { Alert as Notice, Card, Col, Row, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { appsPath } from '../api/platform.js';
import { ApiError } from '../api/client.js';
import { QUERIES, type Alert } from '../api/prometheus.js';
import { listSilences, silencing, type Silence } from '../api/silences.js';
import { usePeriodic, type Fetched } from '../api/usePeriodic.js';
import { useWatchList } from '../api/useWatchList.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';
import { TimeSeries } from '../components/TimeSeries.js';
import { SilenceButton, SilencesTable } from './Silences.js';
import { useAlerts, useRange } from './usePrometheus.js';

type Target = 'node' | 'pod' | 'app';
const WINDOWS = [900, 3600, 21600] as const;

const cores = (v: number): string => (v < 1 ? `${Math.round(v * 1000)}m` : v.toFixed(2));
const bytes = (v: number): string =>
  v >= 2 ** 30 ? `${(v / 2 ** 30).toFixed(1)} GiB` : `${Math.round(v / 2 ** 20)} MiB`;
const perSecond = (v: number): string => `${v.toFixed(2)}/s`;

function Chart({
  ns,
  query,
  windowSeconds,
  title,
  format,
  testId,
}: {
  ns: string;
  query: string | undefined;
  windowSeconds: number;
  title: string;
  format: (v: number) => string;
  testId: string;
}) {
  const { t } = useTranslation();
  const r = useRange(ns, query, windowSeconds);
  return (
    <Card size="small">
      {r.error ? (
        <>
          <Typography.Text strong>{title}</Typography.Text>
          <ErrorAlert error={r.error} />
        </>
      ) : !r.value ? (
        <Typography.Text>{t('app.loading')}</Typography.Text>
      ) : r.value.length === 0 ? (
        <>
          <Typography.Text strong>{title}</Typography.Text>
          <p data-testid={`${testId}-empty`}>{t('monitoring.noData')}</p>
        </>
      ) : (
        <TimeSeries
          title={title}
          series={r.value}
          format={format}
          testId={testId}
          describe={(latest) => t('monitoring.latest', { title, latest })}
        />
      )}
    </Card>
  );
}

/** Alertmanager's answer when this Wharf runs none: the page says so instead of an error. */
const noAlertmanager = (e: unknown): boolean =>
  e instanceof ApiError && e.code === 404 && /no Alertmanager/.test(e.message);

function Alerts({ ns, silences }: { ns: string; silences: Fetched<Silence[]> }) {
  const { t } = useTranslation();
  const r = useAlerts(ns);
  const canSilence = silences.value !== undefined;
  if (r.error) return <ErrorAlert error={r.error} />;
  const rows = [...(r.value ?? [])].sort(
    (a, b) => a.state.localeCompare(b.state) || (a.labels.alertname ?? '').localeCompare(b.labels.alertname ?? ''),
  );
  return (
    <Table
      size="small"
      aria-label={t('monitoring.alerts')}
      data-testid="alerts-table"
      loading={!r.value}
      pagination={false}
      dataSource={rows}
      rowKey={(a) => JSON.stringify(a.labels)}
      locale={{ emptyText: t('monitoring.noAlerts') }}
      columns={[
        { key: 'name', title: t('monitoring.alert'), render: (_: unknown, a: Alert) => a.labels.alertname },
        {
          key: 'state',
          title: t('col.status'),
          render: (_: unknown, a: Alert) => (
            <Tag
              color={a.state === 'firing' ? 'red' : 'orange'}
              style={{ color: a.state === 'firing' ? '#a8071a' : '#873800' }}
            >
              {a.state}
            </Tag>
          ),
        },
        { key: 'severity', title: t('monitoring.severity'), render: (_: unknown, a: Alert) => a.labels.severity ?? '' },
        { key: 'namespace', title: t('col.namespace'), render: (_: unknown, a: Alert) => a.labels.namespace ?? '' },
        {
          key: 'summary',
          title: t('monitoring.summary'),
          render: (_: unknown, a: Alert) => a.annotations.summary ?? a.annotations.description ?? '',
        },
        { key: 'since', title: t('monitoring.since'), render: (_: unknown, a: Alert) => a.activeAt ?? '' },
        ...(canSilence
          ? [
              {
                key: 'silence',
                title: t('silences.silenced'),
                render: (_: unknown, a: Alert) => {
                  const by = silencing(silences.value ?? [], a.labels);
                  return by.length ? (
                    <Tag data-testid="alert-silenced">
                      {t('silences.silencedBy', { by: by.map((s) => s.createdBy).join(', ') })}
                    </Tag>
                  ) : (
                    <SilenceButton labels={a.labels} onDone={silences.reload} />
                  );
                },
              },
            ]
          : []),
      ]}
    />
  );
}

export default function Monitoring() {
  const { t } = useTranslation();
  const { namespace } = useNamespace();
  const [target, setTarget] = useState<Target>('node');
  const [picked, setPicked] = useState<string>();
  const [windowSeconds, setWindow] = useState<number>(WINDOWS[0]);
  const silences = usePeriodic(`silences|${namespace}`, (signal) => listSilences(namespace, signal));
  const nodes = useWatchList(target === 'node' ? '/api/v1/nodes' : undefined);
  const pods = useWatchList(
    target === 'pod' ? `/api/v1${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/pods` : undefined,
  );
  const apps = useWatchList(target === 'app' ? appsPath(namespace) : undefined);
  const list = target === 'node' ? nodes : target === 'pod' ? pods : apps;
  const choices = useMemo(
    () =>
      list.items
        .map((o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name))
        .sort(),
    [list.items],
  );
  const chosen = picked && choices.includes(picked) ? picked : choices[0];
  const [objNs = '', objName = ''] = chosen?.includes('/') ? chosen.split('/') : ['', chosen ?? ''];
  // Cluster-wide queries when the user looks at all namespaces (or at nodes); else through the namespace.
  const queryNs = target === 'node' ? '' : namespace;
  const charts = !chosen
    ? []
    : target === 'node'
      ? [
          { id: 'chart-cpu', title: t('monitoring.cpu'), query: QUERIES.nodeCpu(objName), format: cores },
          { id: 'chart-memory', title: t('monitoring.memory'), query: QUERIES.nodeMemory(objName), format: bytes },
        ]
      : target === 'pod'
        ? [
            { id: 'chart-cpu', title: t('monitoring.cpu'), query: QUERIES.podCpu(objNs, objName), format: cores },
            {
              id: 'chart-memory',
              title: t('monitoring.memory'),
              query: QUERIES.podMemory(objNs, objName),
              format: bytes,
            },
          ]
        : [{ id: 'chart-qps', title: t('monitoring.qps'), query: QUERIES.appQps(objNs, objName), format: perSecond }];
  return (
    <section aria-labelledby="monitoring-title">
      <Typography.Title level={1} id="monitoring-title" style={{ fontSize: 22 }}>
        {t('nav.monitoring')}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 16 }}>
        <Segmented
          aria-label={t('monitoring.target')}
          value={target}
          onChange={(v) => {
            setTarget(v as Target);
            setPicked(undefined);
          }}
          options={[
            { value: 'node', label: t('monitoring.node') },
            { value: 'pod', label: t('monitoring.pod') },
            { value: 'app', label: t('monitoring.app') },
          ]}
        />
        <Select
          aria-label={t('monitoring.object')}
          data-testid="monitoring-object"
          showSearch
          style={{ minWidth: 260 }}
          value={chosen}
          onChange={setPicked}
          options={choices.map((c) => ({ value: c, label: c }))}
          notFoundContent={t('list.empty')}
        />
        <Select
          aria-label={t('monitoring.window')}
          value={windowSeconds}
          onChange={setWindow}
          style={{ width: 140 }}
          options={WINDOWS.map((w) => ({ value: w, label: t('monitoring.lastMinutes', { count: w / 60 }) }))}
        />
      </Space>
      {list.error && <ErrorAlert error={list.error} />}
      <Row gutter={[16, 16]}>
        {charts.map((c) => (
          <Col key={`${chosen}-${c.id}`} xs={24} xl={12}>
            <Chart
              ns={queryNs}
              query={c.query}
              windowSeconds={windowSeconds}
              title={c.title}
              format={c.format}
              testId={c.id}
            />
          </Col>
        ))}
      </Row>
      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>
        {t('monitoring.alerts')}
      </Typography.Title>
      <Alerts ns={namespace} silences={silences} />
      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>
        {t('silences.list')}
      </Typography.Title>
      {silences.error && noAlertmanager(silences.error) ? (
        <Notice type="info" showIcon message={t('silences.noAlertmanager')} data-testid="no-alertmanager" />
      ) : silences.error ? (
        <ErrorAlert error={silences.error} />
      ) : (
        <SilencesTable silences={silences.value ?? []} loading={!silences.value} onChange={silences.reload} />
      )}
    </section>
  );
}
