// The upgrade started from the console (or the CLI), followed: its recorded steps, each done with
// what it did, the one running, those waiting. The record is a file on the control plane's machine
// with no watch, so it is asked for every 2 s; while the control plane restarts the API does not
// answer, which shows as reconnecting until it does again (the same page, no reload).
import { Alert, Card, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import { usePeriodic } from '../api/usePeriodic.js';

interface Progress {
  from: string;
  to: string;
  steps: string[];
  done: { step: string; at: string; detail: string }[];
}
interface UpgradeProgress {
  cluster?: string;
  progress?: Progress;
  running: boolean;
  startedBy?: string;
  startedAt?: string;
  log: string[];
}

const PROGRESS_PATH = '/console-api/upgrade-progress';

/** The verdict on an upgrade no longer running: finished, rolled back, or stopped at a step. */
function Outcome({ p, log }: { p: Progress; log: string[] }) {
  const { t } = useTranslation();
  const left = p.steps.find((s) => !p.done.some((d) => d.step === s));
  if (p.done.some((d) => d.detail === 'rolled back'))
    return <Alert type="error" showIcon message={t('upgrade.rolledBack', { from: p.from, to: p.to })} />;
  if (!left) return <Alert type="success" showIcon message={t('upgrade.finished', { to: p.to })} />;
  return (
    <>
      <Alert type="error" showIcon message={t('upgrade.stopped', { step: left })} />
      <pre aria-label={t('upgrade.log')} tabIndex={0} style={{ maxHeight: 240, overflow: 'auto', fontSize: 12 }}>
        {log.join('\n')}
      </pre>
    </>
  );
}

/** How long an upgrade started from the console stays on the page once it has ended. */
const SHOWN_AFTER_MS = 3600_000;

/**
 * A running or unfinished upgrade, or one the console started in the last hour. `expecting`: this page
 * has just started one, whose record may not have been read before the control plane went down.
 */
export function UpgradeProgressView({ expecting = false }: { expecting?: boolean }) {
  const { t } = useTranslation();
  // A request caught by the restart may hang instead of failing: after 5 s it counts as a failure.
  const got = usePeriodic(
    PROGRESS_PATH,
    (signal) => api<UpgradeProgress>(PROGRESS_PATH, { signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) }),
    2000,
  );
  const u = got.value;
  const p = u?.progress;
  const unfinishedSteps = p ? p.steps.filter((s) => !p.done.some((d) => d.step === s)) : [];
  const recent = Date.now() - (Date.parse(u?.startedAt ?? '') || 0) < SHOWN_AFTER_MS;
  const reconnecting = got.error !== undefined && (
    <Alert
      type="warning"
      showIcon
      role="status"
      data-testid="upgrade-reconnecting"
      message={t('upgrade.reconnecting', { message: (got.error as Error).message })}
    />
  );
  if (!u || !p || (!recent && !u.running && unfinishedSteps.length === 0)) return expecting ? reconnecting : null;
  const current = unfinishedSteps[0];
  return (
    <Card size="small" title={t('upgrade.progressTitle', { from: p.from, to: p.to })} data-testid="upgrade-progress">
      <Space direction="vertical" style={{ width: '100%' }}>
        {u.startedBy && (
          <Typography.Text type="secondary">{t('upgrade.startedBy', { user: u.startedBy })}</Typography.Text>
        )}
        {reconnecting}
        <ol aria-label={t('upgrade.progressSteps')} data-testid="upgrade-progress-steps" style={{ margin: 0 }}>
          {p.steps.map((s) => {
            const done = p.done.find((d) => d.step === s);
            const state = done
              ? t('upgrade.stepDone', { detail: done.detail })
              : s === current
                ? u.running || got.error !== undefined
                  ? t('upgrade.stepRunning')
                  : t('upgrade.stepStopped')
                : t('upgrade.stepWaiting');
            return (
              <li key={s} data-testid={`upgrade-step-${s}`}>
                <Typography.Text strong={s === current}>{s}</Typography.Text> — {state}
              </li>
            );
          })}
        </ol>
        {!u.running && got.error === undefined && <Outcome p={p} log={u.log} />}
      </Space>
    </Card>
  );
}
