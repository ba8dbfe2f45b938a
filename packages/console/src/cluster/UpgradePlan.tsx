// The upgrade plan: what `wharf cluster upgrade NAME --to X` says before --yes, for each version
// this Wharf can go to (the latest patch of the running minor, the next minor): the steps, the
// APIs the target stops serving, the preflight's blockers and risks, GO or NO-GO. `wharf up` makes
// it (/console-api/upgrade-plan) with the user's token: the store and the backups only that
// machine can read. A GO plan can be run from here by a user who may update nodes, after a
// confirmation naming the version: `wharf up` starts that same command (/console-api/upgrade).
import { Alert, App as AntApp, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { UpgradeProgressView } from './UpgradeProgress.js';

interface Finding {
  level: 'blocker' | 'risk';
  text: string;
}
interface PlanOf {
  to: string;
  nodes: string[];
  removed: { groupVersion: string; replacement: string }[];
  findings: Finding[];
  go: boolean;
}
interface Plans {
  from: string;
  cluster?: string;
  plans: PlanOf[];
}

interface PlanProps {
  readonly from: string;
  readonly cluster: string | undefined;
  readonly plan: PlanOf;
  /** Runs the upgrade to `plan.to` (after the confirmation). */
  readonly start: (to: string) => void;
}

function Plan({ from, cluster, plan, start }: PlanProps) {
  const { t } = useTranslation();
  const blockers = plan.findings.filter((f) => f.level === 'blocker').length;
  const steps = [
    t('upgrade.stepSnapshot'),
    t('upgrade.stepControlPlane', { to: plan.to, from }),
    ...plan.nodes.map((node) => t('upgrade.stepNode', { node })),
    ...plan.removed.map((r) =>
      t('upgrade.stopsServing', { to: plan.to, api: r.groupVersion, replacement: r.replacement }),
    ),
  ];
  return (
    <Card size="small" title={t('upgrade.planTitle', { from, to: plan.to })} data-testid={`upgrade-plan-${plan.to}`}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert
          type={plan.go ? 'success' : 'error'}
          showIcon
          role="status"
          data-testid="upgrade-verdict"
          message={plan.go ? t('upgrade.go', { risks: plan.findings.length }) : t('upgrade.noGo', { count: blockers })}
        />
        <ol aria-label={t('upgrade.steps')} data-testid="upgrade-steps" style={{ margin: 0 }}>
          {steps.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
        <Table
          size="small"
          aria-label={t('upgrade.preflight')}
          data-testid="upgrade-findings"
          rowKey="text"
          pagination={false}
          dataSource={plan.findings}
          locale={{ emptyText: t('upgrade.nothing') }}
          columns={[
            {
              key: 'level',
              title: t('upgrade.level'),
              render: (_: unknown, f: Finding) => <Tag>{t(`upgrade.${f.level}`)}</Tag>,
            },
            { key: 'text', title: t('col.message'), dataIndex: 'text' },
          ]}
        />
        {plan.go && cluster && (
          <Allowed query={{ verb: 'update', group: '', resource: 'nodes' }}>
            <Button type="primary" danger onClick={() => start(plan.to)} data-testid="upgrade-start">
              {t('upgrade.start', { to: plan.to })}
            </Button>
          </Allowed>
        )}
        <Typography.Text type="secondary">
          {t('upgrade.howTo', { command: `wharf cluster upgrade ${cluster ?? 'NAME'} --to ${plan.to} --yes` })}
        </Typography.Text>
      </Space>
    </Card>
  );
}

export function UpgradePlan() {
  const { t } = useTranslation();
  const { modal } = AntApp.useApp();
  const [plans, setPlans] = useState<Plans>();
  // Bumped when an upgrade starts here: its progress is asked for at once, not at the next tick.
  const [started, setStarted] = useState(0);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Asked once on opening and again on demand: a preflight reads the store and the audit log.
  const ask = useCallback(async () => {
    setBusy(true);
    setError(undefined);
    try {
      setPlans(await api<Plans>('/console-api/upgrade-plan'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  useEffect(() => {
    void ask();
  }, [ask]);
  const start = (to: string): void => {
    const cluster = plans?.cluster ?? '';
    modal.confirm({
      title: t('upgrade.confirmTitle', { cluster, to }),
      content: t('upgrade.confirmBody', { cluster, to, from: plans?.from }),
      okText: t('upgrade.confirmOk', { to }),
      okButtonProps: { danger: true },
      cancelText: t('detail.cancel'),
      onOk: () =>
        api('/console-api/upgrade', { method: 'POST', body: { to } }).then(
          () => setStarted((n) => n + 1),
          (e: unknown) => {
            // The answer can be lost to the restart the upgrade itself begins (a quiet machine gets
            // there within the request): follow the progress, which shows whether it runs.
            if (e instanceof ApiError && e.code === 0) setStarted((n) => n + 1);
            else setError(e);
          },
        ),
    });
  };
  return (
    <section aria-labelledby="upgrade-title">
      <Space wrap style={{ marginBottom: 8 }}>
        <Typography.Title level={2} id="upgrade-title" style={{ fontSize: 18, margin: 0 }}>
          {t('upgrade.title')}
        </Typography.Title>
        <Button size="small" onClick={() => void ask()} loading={busy} data-testid="upgrade-refresh">
          {t('upgrade.checkAgain')}
        </Button>
      </Space>
      <ErrorAlert error={error} />
      <UpgradeProgressView key={started} expecting={started > 0} />
      {plans && !plans.plans.length && (
        <Alert type="info" showIcon role="status" message={t('upgrade.latest', { version: plans.from })} />
      )}
      <Space direction="vertical" style={{ width: '100%' }}>
        {plans?.plans.map((p) => (
          <Plan key={p.to} from={plans.from} cluster={plans.cluster} plan={p} start={start} />
        ))}
      </Space>
    </section>
  );
}
