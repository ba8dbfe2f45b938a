// A run's task graph: columns left to right in the order Tekton runs them (api/builds.ts
// taskColumns), each task with its state from its TaskRun and what it waits for. An ordered list
// of lists, so a screen reader hears the same order the eye sees.
import { Card, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { outcome, taskColumns, type PipelineRun, type TaskRun } from '../api/builds.js';
import { OutcomeTag } from './Builds.js';

export function TaskGraph({ run, taskRuns }: { run: PipelineRun; taskRuns: TaskRun[] }) {
  const { t } = useTranslation();
  const columns = taskColumns(run);
  if (!columns.length) return <Typography.Text>{t('builds.noGraph')}</Typography.Text>;
  const stateOf = (task: string): string => {
    const ref = run.status?.childReferences?.find((c) => c.pipelineTaskName === task);
    const tr = ref ? taskRuns.find((x) => x.metadata.name === ref.name) : undefined;
    return tr ? outcome(tr) : 'Pending';
  };
  return (
    <ol
      aria-label={t('builds.graph')}
      data-testid="task-graph"
      style={{
        display: 'flex',
        gap: 12,
        listStyle: 'none',
        padding: 0,
        margin: 0,
        overflowX: 'auto',
        alignItems: 'center',
      }}
    >
      {columns.map((col, i) => (
        <li key={i} style={{ display: 'flex', alignItems: 'center', gap: 12 }}>
          {i > 0 && (
            <span aria-hidden="true" style={{ fontSize: 18 }}>
              →
            </span>
          )}
          <ul style={{ listStyle: 'none', padding: 0, margin: 0, display: 'flex', flexDirection: 'column', gap: 8 }}>
            {col.map((task) => (
              <li key={task.name}>
                <Card size="small" style={{ minWidth: 160 }} data-testid={`graph-task-${task.name}`}>
                  <Space direction="vertical" size={2}>
                    <Typography.Text strong>{task.name}</Typography.Text>
                    <OutcomeTag value={stateOf(task.name)} testId="task-state" />
                    {task.after.length > 0 && (
                      <Typography.Text>{t('builds.after', { tasks: task.after.join(', ') })}</Typography.Text>
                    )}
                    {task.finally && <Tag>{t('builds.finally')}</Tag>}
                  </Space>
                </Card>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
