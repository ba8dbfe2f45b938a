// Builds (tekton PipelineRuns) of the namespace, newest first, live: pipeline, outcome, commit,
// trigger, deployment, duration.
import { Empty, Table, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { duration, NOTES, outcome, pipelineOf, runsPath, type PipelineRun } from '../api/builds.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';

export const buildRoute = (r: PipelineRun): string =>
  `/builds/${encodeURIComponent(r.metadata.namespace ?? '')}/${encodeURIComponent(r.metadata.name)}`;

const TONES: Record<string, [string, string]> = {
  Succeeded: ['green', '#135200'],
  Failed: ['red', '#a8071a'],
  Running: ['blue', '#003eb3'],
};

export function OutcomeTag({ value, testId = 'build-outcome' }: { value: string; testId?: string }) {
  const [color, text] = TONES[value] ?? ['default', 'rgba(0, 0, 0, 0.88)'];
  return (
    <Tag color={color} style={{ color: text }} data-testid={testId}>
      {value}
    </Tag>
  );
}

export default function Builds() {
  const { t } = useTranslation();
  const { namespace } = useNamespace();
  const live = useWatchList(runsPath(namespace));
  const runs = useMemo(
    () =>
      (live.items as PipelineRun[]).sort((a, b) =>
        String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)),
      ),
    [live.items],
  );
  const now = Date.now();
  return (
    <section aria-labelledby="builds-title">
      <Typography.Title level={1} id="builds-title" style={{ fontSize: 22 }}>
        {t('nav.builds')}
      </Typography.Title>
      {live.error ? (
        <ErrorAlert error={live.error} />
      ) : (
        <Table
          aria-label={t('list.table', { kind: t('nav.builds') })}
          data-testid="builds-table"
          size="small"
          pagination={false}
          loading={live.loading}
          dataSource={runs}
          rowKey={(r) => r.metadata.uid ?? `${r.metadata.namespace}/${r.metadata.name}`}
          locale={{ emptyText: <Empty description={t('builds.empty')} /> }}
          columns={[
            {
              key: 'name',
              title: t('col.name'),
              render: (_: unknown, r: PipelineRun) => <Link to={buildRoute(r)}>{r.metadata.name}</Link>,
            },
            ...(namespace
              ? []
              : [
                  {
                    key: 'namespace',
                    title: t('col.namespace'),
                    render: (_: unknown, r: PipelineRun) => r.metadata.namespace,
                  },
                ]),
            { key: 'pipeline', title: t('builds.pipeline'), render: (_: unknown, r: PipelineRun) => pipelineOf(r) },
            {
              key: 'status',
              title: t('col.status'),
              render: (_: unknown, r: PipelineRun) => <OutcomeTag value={outcome(r)} />,
            },
            {
              key: 'commit',
              title: t('builds.commit'),
              render: (_: unknown, r: PipelineRun) => r.metadata.annotations?.[NOTES.commit]?.slice(0, 7) ?? '-',
            },
            {
              key: 'trigger',
              title: t('builds.trigger'),
              render: (_: unknown, r: PipelineRun) => r.metadata.annotations?.[NOTES.trigger] ?? '-',
            },
            {
              key: 'deploy',
              title: t('builds.deployment'),
              render: (_: unknown, r: PipelineRun) => r.metadata.annotations?.[NOTES.deployState] ?? '-',
            },
            {
              key: 'duration',
              title: t('builds.duration'),
              render: (_: unknown, r: PipelineRun) => duration(r.status?.startTime, r.status?.completionTime, now),
            },
            {
              key: 'age',
              title: t('col.age'),
              render: (_: unknown, r: PipelineRun) => age(r.metadata.creationTimestamp),
            },
          ]}
        />
      )}
    </section>
  );
}
