// What a user does to an object besides editing it: scale (Deployments, StatefulSets), restart
// (Deployments, as `kubectl rollout restart`), delete with a confirmation naming the object. Each is
// one API call a user could make with kubectl; each is disabled with the reason where RBAC forbids.
import { App, Button, InputNumber, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client.js';
import { objectPath, type KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { Allowed } from '../components/Allowed.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

const MERGE = 'application/merge-patch+json';

export function Actions({ k, obj }: { k: KindInfo; obj: KubeObject }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const navigate = useNavigate();
  const { name, namespace } = obj.metadata;
  const path = objectPath(k, namespace, name);
  const base = { group: k.group, resource: k.plural, namespace: namespace ?? '', name };
  const [replicas, setReplicas] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const run = async (what: () => Promise<void>): Promise<void> => {
    setError(undefined);
    try {
      await what();
    } catch (e) {
      setError(e);
    }
  };
  const current = Number(field(obj, 'spec', 'replicas') ?? 0);
  const scalable = k.plural === 'deployments' || k.plural === 'statefulsets';

  const scale = (): Promise<void> =>
    run(async () => {
      const n = replicas ?? current;
      const o = { method: 'PATCH', contentType: MERGE, body: { spec: { replicas: n } } };
      // As every form's Save: the API's answer to a dry run first, so a refusal changes nothing.
      await api(`${path}/scale?dryRun=All`, o);
      await api(`${path}/scale`, o);
      void message.success(t('detail.scaled', { name, count: n }));
    });
  const restart = (): Promise<void> =>
    run(async () => {
      await api(`${path}?fieldManager=wharf-console`, {
        method: 'PATCH',
        contentType: MERGE,
        body: {
          spec: {
            template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } },
          },
        },
      });
      void message.success(t('detail.restarted', { name }));
    });
  // kubectl cordon / uncordon: the node's spec.unschedulable, nothing else.
  const cordoned = field(obj, 'spec', 'unschedulable') === true;
  const cordon = (): Promise<void> =>
    run(async () => {
      await api(path, {
        method: 'PATCH',
        contentType: MERGE,
        body: { spec: { unschedulable: cordoned ? null : true } },
      });
      void message.success(t(cordoned ? 'node.uncordoned' : 'node.cordoned', { name }));
    });
  const confirmDelete = (): void => {
    modal.confirm({
      title: t('detail.deleteTitle', { kind: k.kind, name }),
      content: namespace
        ? t('detail.deleteBody', { kind: k.kind, name, namespace })
        : t('detail.deleteBodyCluster', { kind: k.kind, name }),
      okText: t('detail.delete'),
      okButtonProps: { danger: true },
      cancelText: t('detail.cancel'),
      onOk: () =>
        run(async () => {
          await api(path, { method: 'DELETE' });
          void message.success(t('detail.deleted', { kind: k.kind, name }));
          navigate(`/r/${k.plural}`);
        }),
    });
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        {scalable && (
          <Space.Compact>
            <InputNumber
              aria-label={t('detail.replicas')}
              min={0}
              value={replicas ?? current}
              onChange={(v) => setReplicas(v)}
              data-testid="replicas-input"
            />
            <Allowed query={{ ...base, verb: 'patch', subresource: 'scale' }}>
              <Button onClick={() => void scale()}>{t('detail.scale')}</Button>
            </Allowed>
          </Space.Compact>
        )}
        {k.plural === 'deployments' && (
          <Allowed query={{ ...base, verb: 'patch' }}>
            <Button onClick={() => void restart()}>{t('detail.restart')}</Button>
          </Allowed>
        )}
        {k.plural === 'nodes' && (
          <Allowed query={{ ...base, verb: 'patch' }}>
            <Button onClick={() => void cordon()} data-testid="cordon-button">
              {t(cordoned ? 'node.uncordon' : 'node.cordon')}
            </Button>
          </Allowed>
        )}
        <Allowed query={{ ...base, verb: 'delete' }}>
          <Button danger onClick={confirmDelete} data-testid="delete-button">
            {t('detail.delete')}
          </Button>
        </Allowed>
      </Space>
      <ErrorAlert error={error} />
    </Space>
  );
}
