// The cluster at a glance: API version, nodes Ready, and the latest warning events, live.
import { Card, Col, List, Row, Statistic, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { field } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';

export default function Overview() {
  const { t } = useTranslation();
  const { namespace } = useNamespace();
  const [version, setVersion] = useState<string>();
  useEffect(() => {
    void api<{ gitVersion?: string }>('/version').then(
      (v) => setVersion(v.gitVersion ?? ''),
      () => setVersion(t('overview.unreachable')),
    );
  }, [t]);
  const nodes = useWatchList('/api/v1/nodes');
  const events = useWatchList(`/api/v1${namespace ? `/namespaces/${namespace}` : ''}/events`, {
    fieldSelector: 'type=Warning',
  });
  const ready = nodes.items.filter((n) =>
    ((field(n, 'status', 'conditions') as { type: string; status: string }[] | undefined) ?? []).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    ),
  ).length;
  const warnings = useMemo(
    () =>
      [...events.items]
        .sort((a, b) =>
          String(field(b, 'lastTimestamp') ?? b.metadata.creationTimestamp).localeCompare(
            String(field(a, 'lastTimestamp') ?? a.metadata.creationTimestamp),
          ),
        )
        .slice(0, 20),
    [events.items],
  );
  return (
    <section aria-labelledby="overview-title">
      <Typography.Title level={1} id="overview-title" style={{ fontSize: 22 }}>
        {t('overview.title')}
      </Typography.Title>
      <Row gutter={16}>
        <Col span={8}>
          <Card>
            <Statistic title={`${t('overview.api')} · ${t('overview.version')}`} value={version ?? '…'} />
          </Card>
        </Col>
        <Col span={8}>
          <Card>
            {nodes.error ? (
              <ErrorAlert error={nodes.error} />
            ) : (
              <Statistic
                title={t('overview.nodesReady')}
                value={`${ready} / ${nodes.items.length}`}
                data-testid="nodes-ready"
              />
            )}
          </Card>
        </Col>
      </Row>
      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>
        {t('overview.warnings')}
      </Typography.Title>
      {events.error ? (
        <ErrorAlert error={events.error} />
      ) : (
        <List
          bordered
          dataSource={warnings}
          locale={{ emptyText: t('overview.noWarnings') }}
          renderItem={(e) => (
            <List.Item>
              <Typography.Text strong>{String(field(e, 'reason') ?? '')}</Typography.Text>
              {` ${String(field(e, 'involvedObject', 'kind') ?? '')}/${String(field(e, 'involvedObject', 'name') ?? '')}: ${String(field(e, 'message') ?? '')} (${age(String(field(e, 'lastTimestamp') ?? e.metadata.creationTimestamp ?? ''))})`}
            </List.Item>
          )}
        />
      )}
    </section>
  );
}
