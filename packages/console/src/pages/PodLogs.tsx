// A pod's logs, followed: one streaming GET .../log?follow=true (useLogStream), shown by LogView.
import { Select, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KubeObject } from '../api/types.js';
import { KEEP_LINES, useLogStream } from '../api/useLogStream.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { LogView } from '../components/LogView.js';

export default function PodLogs({ pod }: { pod: KubeObject }) {
  const { t } = useTranslation();
  const containers = ((field(pod, 'spec', 'containers') as { name: string }[] | undefined) ?? []).map((c) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [follow, setFollow] = useState(true);
  const { name, namespace = '' } = pod.metadata;
  const q = new URLSearchParams({ container, tailLines: String(KEEP_LINES), ...(follow ? { follow: 'true' } : {}) });
  const { lines, dropped, count, error } = useLogStream(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?${q}`,
  );

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Select
          aria-label={t('logs.container')}
          value={container}
          onChange={setContainer}
          options={containers.map((c) => ({ value: c, label: c }))}
          style={{ minWidth: 160 }}
        />
        <label htmlFor="follow-logs">{t('logs.follow')}</label>
        <Switch id="follow-logs" checked={follow} onChange={setFollow} />
        <Typography.Text>{t('logs.lines', { count })}</Typography.Text>
      </Space>
      <ErrorAlert error={error} />
      <LogView
        lines={lines}
        dropped={dropped}
        empty={t('logs.waiting')}
        label={t('logs.label', { name })}
        testId="pod-logs"
        height="55vh"
      />
    </Space>
  );
}
