// An application's logs: every pod of a component followed at once (as `wharf app logs -c`),
// each line prefixed with its pod, live as pods come and go; a search that keeps only the lines
// containing the text; and a download of what is kept.
import { Button, Input, Select, Space, Switch, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LABEL_APPLICATION, type Application } from '../api/platform.js';
import type { KubeObject } from '../api/types.js';
import { KEEP_LINES, useLogStream } from '../api/useLogStream.js';
import { useWatchList } from '../api/useWatchList.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { LogView } from '../components/LogView.js';
import { search } from './logSearch.js';
import { hasStarted } from './started.js';

/** The label a component's pods carry (packages/platform-apps LABELS.component). */
const LABEL_COMPONENT = 'app.kubernetes.io/component';

function download(name: string, lines: readonly string[]): void {
  const url = URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/plain' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

export function useComponentPods(app: Application, component: string): KubeObject[] {
  const { name, namespace = '' } = app.metadata;
  const pods = useWatchList(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, {
    labelSelector: `${LABEL_APPLICATION}=${name},${LABEL_COMPONENT}=${component}`,
  });
  return useMemo(
    () =>
      pods.items
        .filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp)
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
    [pods.items],
  );
}

export default function ComponentLogs({ app }: { app: Application }) {
  const { t } = useTranslation();
  const components = app.spec.components.map((c) => c.name);
  const [component, setComponent] = useState(components[0] ?? '');
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const pods = useComponentPods(app, component);
  // One stream for all pods, merged and prefixed by `wharf up` (/console-api/logs): a follow per
  // pod would use up the six connections a browser keeps to a host. A pod joins once its
  // container has started: a log asked for earlier is refused. The container of a component's
  // pod is named after the component.
  const started = pods.filter((p) => hasStarted(p, component)).map((p) => p.metadata.name);
  const q = new URLSearchParams({
    namespace: app.metadata.namespace ?? '',
    container: component,
    tailLines: String(Math.floor(KEEP_LINES / Math.max(1, started.length))),
    ...(follow ? { follow: 'true' } : {}),
  });
  for (const p of started) q.append('pod', p);
  const stream = useLogStream(started.length ? `/console-api/logs?${q}` : undefined);
  const shown = search(stream.lines, query);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          aria-label={t('apps.component')}
          value={component}
          onChange={setComponent}
          options={components.map((c) => ({ value: c, label: c }))}
          style={{ minWidth: 160 }}
        />
        <label htmlFor="follow-app-logs">{t('logs.follow')}</label>
        <Switch id="follow-app-logs" checked={follow} onChange={setFollow} />
        <Input.Search
          aria-label={t('appLogs.search')}
          placeholder={t('appLogs.search')}
          allowClear
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          style={{ width: 260 }}
          data-testid="app-logs-search"
        />
        <Button
          onClick={() => download(`${app.metadata.name}-${component}.log`, shown)}
          disabled={!shown.length}
          data-testid="app-logs-download"
        >
          {t('appLogs.download')}
        </Button>
        <Typography.Text data-testid="app-logs-count">
          {query.trim()
            ? t('appLogs.matches', { count: shown.length, total: stream.count })
            : t('logs.lines', { count: stream.count })}
        </Typography.Text>
        <Typography.Text>{t('appLogs.pods', { count: pods.length })}</Typography.Text>
      </Space>
      <ErrorAlert error={stream.error} />
      <LogView
        lines={shown}
        // Lines dropped from the front are counted among all, not among the matches.
        dropped={query.trim() ? 0 : stream.dropped}
        empty={pods.length ? t('logs.waiting') : t('appLogs.noPods')}
        label={t('appLogs.label', { component })}
        testId="app-logs"
        height="45vh"
      />
    </Space>
  );
}
