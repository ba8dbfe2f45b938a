// A pod's logs, followed: one streaming GET .../log?follow=true, read as it arrives. Lines are
// kept to the last 5,000 and painted once per animation frame, so a fast writer cannot freeze
// the page.
import { Select, Space, Switch, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiRaw } from '../api/client.js';
import type { KubeObject } from '../api/types.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

const KEEP = 5000;

export default function PodLogs({ pod }: { pod: KubeObject }) {
  const { t } = useTranslation();
  const containers = ((field(pod, 'spec', 'containers') as { name: string }[] | undefined) ?? []).map((c) => c.name);
  const [container, setContainer] = useState(containers[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [text, setText] = useState('');
  const [count, setCount] = useState(0);
  const [error, setError] = useState<unknown>();
  const pre = useRef<HTMLPreElement>(null);
  const { name, namespace = '' } = pod.metadata;

  useEffect(() => {
    const ctl = new AbortController();
    const lines: string[] = [];
    let partial = '';
    let frame = 0;
    const paint = (): void => {
      frame = 0;
      setText(lines.join('\n'));
      setCount(lines.length);
      if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
    };
    setText('');
    setError(undefined);
    const q = new URLSearchParams({ container, tailLines: String(KEEP), ...(follow ? { follow: 'true' } : {}) });
    void (async () => {
      try {
        const res = await apiRaw(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/log?${q}`, { signal: ctl.signal });
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          const parts = (partial + value).split('\n');
          partial = parts.pop() ?? '';
          lines.push(...parts);
          if (lines.length > KEEP) lines.splice(0, lines.length - KEEP);
          if (!frame) frame = requestAnimationFrame(paint);
        }
        if (partial) lines.push(partial);
        paint();
      } catch (e) {
        if (!ctl.signal.aborted) setError(e);
      }
    })();
    return () => {
      ctl.abort();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [namespace, name, container, follow]);

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space>
        <Select aria-label={t('logs.container')} value={container} onChange={setContainer} options={containers.map((c) => ({ value: c, label: c }))} style={{ minWidth: 160 }} />
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
        style={{ background: '#141414', color: '#e8e8e8', padding: 12, height: '55vh', overflow: 'auto', margin: 0, fontSize: 12 }}
      >
        {text || t('logs.waiting')}
      </pre>
    </Space>
  );
}
