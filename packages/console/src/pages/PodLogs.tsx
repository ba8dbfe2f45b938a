// A pod's logs, followed: one streaming GET .../log?follow=true (useLogStream).
import { Select, Space, Switch, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KubeObject } from '../api/types.js';
import { KEEP_LINES, useLogStream } from '../api/useLogStream.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

export default function PodLogs({ pod }: { pod: KubeObject }) {
  const { t } = useTranslation();
  const containers = ((field(pod, 'spec', 'containers') as { name: string }[] | undefined) ?? []).map((c) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [follow, setFollow] = useState(true);
  const pre = useRef<HTMLPreElement>(null);
  const { name, namespace = '' } = pod.metadata;
  const q = new URLSearchParams({ container, tailLines: String(KEEP_LINES), ...(follow ? { follow: 'true' } : {}) });
  const { text, count, error } = useLogStream(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?${q}`,
    () => {
      if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
    },
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
      <pre
        ref={pre}
        tabIndex={0}
        aria-label={t('logs.label', { name })}
        data-testid="pod-logs"
        style={{
          background: '#141414',
          color: '#e8e8e8',
          padding: 12,
          height: '55vh',
          overflow: 'auto',
          margin: 0,
          fontSize: 12,
        }}
      >
        {text || t('logs.waiting')}
      </pre>
    </Space>
  );
}
