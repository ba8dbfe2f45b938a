// Scale one component (`wharf app scale NAME --component C --replicas N`): no new revision, the
// controller changes the Deployment. Disabled with the reason where RBAC forbids updating the app.
import { App, Button, InputNumber, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GROUP, scaleComponent, type Application } from '../api/platform.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

export function ScaleComponent({ app, component }: { app: Application; component: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { name, namespace = '' } = app.metadata;
  const current = app.spec.components.find((c) => c.name === component)?.replicas ?? 1;
  const [replicas, setReplicas] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const scale = async (): Promise<void> => {
    const n = replicas ?? current;
    setError(undefined);
    try {
      await scaleComponent(namespace, name, component, n);
      void message.success(t('apps.scaled', { component, count: n }));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Space direction="vertical">
      <Space.Compact>
        <InputNumber
          aria-label={t('apps.replicasOf', { component })}
          min={0}
          value={replicas ?? current}
          onChange={(v) => setReplicas(v)}
          data-testid={`scale-input-${component}`}
        />
        <Allowed query={{ verb: 'update', group: GROUP, resource: 'applications', namespace, name }}>
          <Button onClick={() => void scale()} data-testid={`scale-button-${component}`}>
            {t('detail.scale')}
          </Button>
        </Allowed>
      </Space.Compact>
      <ErrorAlert error={error} />
    </Space>
  );
}
