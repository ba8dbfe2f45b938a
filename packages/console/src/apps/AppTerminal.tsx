// A shell from the application's page: pick a component and one of its pods, then the same
// terminal as a pod's page (xterm.js over the exec WebSocket).
import { Select, Space } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Application } from '../api/platform.js';
import { useComponentPods } from './ComponentLogs.js';

const PodTerminal = lazy(() => import('../pages/PodTerminal.js'));

export default function AppTerminal({ app }: { app: Application }) {
  const { t } = useTranslation();
  const components = app.spec.components.map((c) => c.name);
  const [component, setComponent] = useState(components[0] ?? '');
  const pods = useComponentPods(app, component);
  const [picked, setPicked] = useState<string>();
  const pod = pods.find((p) => p.metadata.name === picked) ?? pods[0];
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          aria-label={t('apps.component')}
          value={component}
          onChange={(c) => {
            setComponent(c);
            setPicked(undefined);
          }}
          options={components.map((c) => ({ value: c, label: c }))}
          style={{ minWidth: 160 }}
        />
        <Select
          aria-label={t('appLogs.pod')}
          value={pod?.metadata.name}
          onChange={setPicked}
          options={pods.map((p) => ({ value: p.metadata.name, label: p.metadata.name }))}
          style={{ minWidth: 260 }}
          data-testid="app-terminal-pod"
          notFoundContent={t('appLogs.noPods')}
        />
      </Space>
      {pod ? (
        <Suspense fallback={t('app.loading')}>
          <PodTerminal key={pod.metadata.name} pod={pod} />
        </Suspense>
      ) : (
        t('appLogs.noPods')
      )}
    </Space>
  );
}
