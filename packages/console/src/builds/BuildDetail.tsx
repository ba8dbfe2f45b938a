// One build: its outcome, each task and step with its state and duration (from the TaskRuns,
// live), the step logs streamed from the archive as they are written, and cancel (the same patch
// as `wharf build cancel`, after a confirmation naming the run; disabled where RBAC forbids).
import { Alert, App, Button, Descriptions, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  duration,
  isDone,
  NOTES,
  outcome,
  pipelineOf,
  rerunOf,
  runLogPath,
  runPath,
  runsPath,
  stepState,
  taskRunsPath,
  type PipelineRun,
  type TaskRun,
} from '../api/builds.js';
import { api } from '../api/client.js';
import { useLogStream } from '../api/useLogStream.js';
import { useWatchList, type LiveList } from '../api/useWatchList.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { LogView } from '../components/LogView.js';
import { buildRoute, OutcomeTag } from './Builds.js';
import { TaskGraph } from './TaskGraph.js';

interface Row {
  key: string;
  task: string;
  step: string;
  state: string;
  duration: string;
}

function Steps({ run, trs }: { run: PipelineRun; trs: LiveList }) {
  const { t } = useTranslation();
  const now = Date.now();
  // One row per task, then one per step under it: flat, so every row is plain text for a screen reader.
  const rows = useMemo(
    () =>
      (run.status?.childReferences ?? []).flatMap((ref): Row[] => {
        const tr = (trs.items as TaskRun[]).find((x) => x.metadata.name === ref.name);
        return [
          {
            key: ref.name,
            task: ref.pipelineTaskName,
            step: '',
            state: tr ? outcome(tr) : 'Pending',
            duration: duration(tr?.status?.startTime, tr?.status?.completionTime, now),
          },
          ...(tr?.status?.steps ?? []).map((s) => ({
            key: `${ref.name}/${s.name}`,
            task: '',
            step: s.name,
            state: stepState(s),
            duration: duration(s.terminated?.startedAt ?? s.running?.startedAt, s.terminated?.finishedAt, now),
          })),
        ];
      }),
    [run, trs.items, now],
  );
  if (trs.error) return <ErrorAlert error={trs.error} />;
  return (
    <Table
      size="small"
      aria-label={t('builds.steps')}
      data-testid="build-steps"
      pagination={false}
      dataSource={rows}
      columns={[
        { key: 'task', title: t('builds.task'), dataIndex: 'task' },
        { key: 'step', title: t('builds.step'), dataIndex: 'step' },
        { key: 'state', title: t('col.status'), dataIndex: 'state' },
        { key: 'duration', title: t('builds.duration'), dataIndex: 'duration' },
      ]}
    />
  );
}

function BuildLogs({ run }: { run: PipelineRun }) {
  const { t } = useTranslation();
  const { name, namespace = '' } = run.metadata;
  // Nothing archived yet (404) while the first step has not started: ask again until it has.
  const done = isDone(run);
  const logs = useLogStream(runLogPath(namespace, name), (e) => e.code === 404 && !done);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <ErrorAlert error={logs.error} />
      <LogView
        lines={logs.lines}
        dropped={logs.dropped}
        empty={t('logs.waiting')}
        label={t('builds.logsOf', { name })}
        testId="build-logs"
        height="45vh"
      />
    </Space>
  );
}

export default function BuildDetail() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const { namespace = '', name = '' } = useParams();
  const navigate = useNavigate();
  const live = useWatchList(runsPath(namespace), { fieldSelector: `metadata.name=${name}` });
  const trs = useWatchList(taskRunsPath(namespace), { labelSelector: `tekton.dev/pipelineRun=${name}` });
  const [error, setError] = useState<unknown>();
  const run = live.items[0] as PipelineRun | undefined;
  const back = <Link to="/builds">{t('detail.back')}</Link>;
  if (live.error)
    return (
      <Space direction="vertical">
        {back}
        <ErrorAlert error={live.error} />
      </Space>
    );
  if (!live.loading && !run)
    return (
      <Space direction="vertical">
        {back}
        <Alert type="warning" role="status" message={t('detail.gone')} />
      </Space>
    );
  if (!run) return <Typography.Text>{t('app.loading')}</Typography.Text>;
  const notes = run.metadata.annotations ?? {};
  const cond = run.status?.conditions?.find((c) => c.type === 'Succeeded');
  const cancel = (): void => {
    modal.confirm({
      title: t('builds.cancelTitle', { name }),
      content: t('builds.cancelBody', { name, namespace }),
      okText: t('builds.cancel'),
      okButtonProps: { danger: true },
      cancelText: t('detail.cancel'),
      onOk: async () => {
        setError(undefined);
        try {
          await api(runPath(namespace, name), {
            method: 'PATCH',
            contentType: 'application/merge-patch+json',
            body: { spec: { status: 'Cancelled' } },
          });
          void message.success(t('builds.cancelled', { name }));
        } catch (e) {
          setError(e);
        }
      },
    });
  };
  const rerun = (): void => {
    modal.confirm({
      title: t('builds.rerunTitle', { name }),
      content: t('builds.rerunBody', { name, namespace }),
      okText: t('builds.rerun'),
      cancelText: t('detail.cancel'),
      onOk: async () => {
        setError(undefined);
        try {
          const made = await api<PipelineRun>(runsPath(namespace), { method: 'POST', body: rerunOf(run) });
          void message.success(t('builds.rerunStarted', { name: made.metadata.name, from: name }));
          navigate(buildRoute(made));
        } catch (e) {
          setError(e);
        }
      },
    });
  };
  return (
    <section aria-labelledby="build-title">
      {back}
      <Typography.Title level={1} id="build-title" style={{ fontSize: 22, marginTop: 8 }}>
        {t('builds.title', { namespace, name })}
      </Typography.Title>
      <Space style={{ marginBottom: 12 }}>
        {!isDone(run) && (
          <Allowed query={{ verb: 'patch', group: 'tekton.dev', resource: 'pipelineruns', namespace, name }}>
            <Button danger onClick={cancel} data-testid="cancel-build">
              {t('builds.cancel')}
            </Button>
          </Allowed>
        )}
        <Allowed query={{ verb: 'create', group: 'tekton.dev', resource: 'pipelineruns', namespace }}>
          <Button onClick={rerun} data-testid="rerun-build">
            {t('builds.rerun')}
          </Button>
        </Allowed>
      </Space>
      <ErrorAlert error={error} />
      <Descriptions bordered size="small" column={2} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('col.status')}>
          <OutcomeTag value={outcome(run)} />
        </Descriptions.Item>
        <Descriptions.Item label={t('builds.pipeline')}>{pipelineOf(run)}</Descriptions.Item>
        <Descriptions.Item label={t('col.message')}>{cond?.message ?? '-'}</Descriptions.Item>
        <Descriptions.Item label={t('builds.duration')}>
          {duration(run.status?.startTime, run.status?.completionTime, Date.now())}
        </Descriptions.Item>
        <Descriptions.Item label={t('builds.commit')}>{notes[NOTES.commit] ?? '-'}</Descriptions.Item>
        <Descriptions.Item label={t('builds.deployment')}>
          {notes[NOTES.deployState]
            ? `${notes[NOTES.deployState]}${notes[NOTES.deployedTo] ? ` → ${notes[NOTES.deployedTo]}` : ''}`
            : '-'}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('builds.graph')}
      </Typography.Title>
      <TaskGraph run={run} taskRuns={trs.items as TaskRun[]} />
      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 16 }}>
        {t('builds.steps')}
      </Typography.Title>
      <Steps run={run} trs={trs} />
      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 16 }}>
        {t('detail.logs')}
      </Typography.Title>
      <BuildLogs run={run} />
    </section>
  );
}
