// Drain on a node's page: after a confirmation naming the node and its pods, cordon it and evict
// them (api/drain.ts), showing each pod's fate live; a pod a PodDisruptionBudget holds is named
// with that budget and asked again every 5 s (as kubectl drain retries) until it may go or the
// user stops. Disabled with the reason where RBAC forbids evictions.
import { App, Button, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import { evict, planDrain, type Eviction } from '../api/drain.js';
import type { KubeObject } from '../api/types.js';
import { useWatchList } from '../api/useWatchList.js';
import { Allowed } from '../components/Allowed.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

const RETRY_MS = 5000;
/** At most this many pod names in the confirmation; the table shows them all once it runs. */
const NAMED = 10;

interface Row {
  readonly key: string;
  readonly pod: string;
  readonly result: Eviction | { state: 'evicting' };
}

export function NodeDrain({ node }: { node: KubeObject }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const name = node.metadata.name;
  const pods = useWatchList('/api/v1/pods', { fieldSelector: `spec.nodeName=${name}` });
  const [rows, setRows] = useState<Row[]>([]);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<unknown>();
  const stopped = useRef(false);
  useEffect(
    () => () => {
      stopped.current = true; // leaving the page ends the retries
    },
    [],
  );

  const run = async (targets: KubeObject[]): Promise<void> => {
    stopped.current = false;
    setRunning(true);
    setError(undefined);
    const key = (p: KubeObject): string => `${p.metadata.namespace}/${p.metadata.name}`;
    setRows(targets.map((p) => ({ key: key(p), pod: key(p), result: { state: 'evicting' } })));
    try {
      if (field(node, 'spec', 'unschedulable') !== true) {
        await api(`/api/v1/nodes/${encodeURIComponent(name)}`, {
          method: 'PATCH',
          contentType: 'application/merge-patch+json',
          body: { spec: { unschedulable: true } },
        });
      }
      let pending = targets;
      while (pending.length && !stopped.current) {
        // Each pod's row changes as its own answer comes: one slow eviction holds up no other row.
        const results = await Promise.all(
          pending.map(async (p) => {
            const r = await evict(p);
            setRows((old) => old.map((row) => (row.key === key(p) ? { ...row, result: r } : row)));
            return { p, r };
          }),
        );
        pending = results.filter((x) => x.r.state === 'blocked').map((x) => x.p);
        if (pending.length) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
      if (!pending.length) void message.success(t('drain.done', { name, count: targets.length }));
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  };

  const confirm = (): void => {
    const plan = planDrain(pods.items);
    const names = plan.evict.map((p) => p.metadata.name);
    modal.confirm({
      title: t('drain.title', { name }),
      content: (
        <Space direction="vertical">
          <span>
            {t('drain.body', {
              name,
              count: names.length,
              pods: names.slice(0, NAMED).join(', ') + (names.length > NAMED ? ', …' : ''),
            })}
          </span>
          {plan.stay.length > 0 && (
            <span>{t('drain.stay', { pods: plan.stay.map((p) => p.metadata.name).join(', ') })}</span>
          )}
          {plan.unmanaged.length > 0 && (
            <Typography.Text strong>{t('drain.unmanaged', { pods: plan.unmanaged.join(', ') })}</Typography.Text>
          )}
        </Space>
      ),
      okText: t('drain.drain'),
      okButtonProps: { danger: true },
      cancelText: t('detail.cancel'),
      onOk: () => void run(plan.evict),
    });
  };

  const stateTag = (r: Row['result']) => <Tag data-testid="drain-state">{t(`drain.states.${r.state}`)}</Tag>;
  return (
    <Space direction="vertical" style={{ width: '100%', marginTop: 8 }}>
      <Space>
        <Allowed query={{ verb: 'create', group: '', resource: 'pods', subresource: 'eviction' }}>
          <Button danger onClick={confirm} disabled={running || pods.loading} data-testid="drain-button">
            {t('drain.drain')}
          </Button>
        </Allowed>
        {running && (
          <Button onClick={() => (stopped.current = true)} data-testid="drain-stop">
            {t('drain.stop')}
          </Button>
        )}
      </Space>
      <ErrorAlert error={error} />
      {rows.length > 0 && (
        <Table
          size="small"
          aria-label={t('drain.progress', { name })}
          data-testid="drain-table"
          rowKey="key"
          pagination={false}
          dataSource={rows}
          columns={[
            { key: 'pod', title: t('nav.pods'), dataIndex: 'pod' },
            { key: 'state', title: t('col.status'), render: (_: unknown, row: Row) => stateTag(row.result) },
            {
              key: 'why',
              title: t('col.message'),
              render: (_: unknown, row: Row) =>
                'message' in row.result ? (
                  <Space direction="vertical" size={0}>
                    <span>{row.result.message}</span>
                    {row.result.budgets.map((b) => (
                      <span key={b} data-testid="drain-budget">
                        {t('drain.heldBy', { budget: b })}
                      </span>
                    ))}
                    {row.result.state === 'blocked' && running && <span>{t('drain.retrying')}</span>}
                  </Space>
                ) : null,
            },
          ]}
        />
      )}
    </Space>
  );
}
