// The list of one kind: live through a watch, filtered by namespace and label selector, and
// virtualised (only the rows in view are in the DOM) so thousands of rows stay responsive.
import { Alert, Empty, Input, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { collectionPath, kindByPlural } from '../api/kinds.js';
import { useWatchList } from '../api/useWatchList.js';
import { columnsFor } from '../components/columns.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';

export default function ResourceList() {
  const { t } = useTranslation();
  const { kind: plural } = useParams();
  const k = kindByPlural(plural);
  const { namespace } = useNamespace();
  const [selector, setSelector] = useState('');
  const path = k ? collectionPath(k, namespace) : undefined;
  const live = useWatchList(path, { labelSelector: selector, rows: k?.rows });
  const columns = useMemo(() => (k ? columnsFor(k, t, namespace === '') : []), [k, t, namespace]);
  const rows = useMemo(
    () =>
      [...live.items].sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
      ),
    [live.items],
  );
  if (!k) return <Alert type="error" message={plural} />;
  const title = t(`nav.${k.plural as 'pods'}`);
  const width = columns.reduce((n, c) => n + Number(c.width ?? 100), 0);
  return (
    <section aria-labelledby="list-title">
      <Space align="baseline" style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={1} id="list-title" style={{ fontSize: 22 }}>
          {title}
        </Typography.Title>
        <Space>
          <Input.Search
            aria-label={t('list.labelSelector')}
            placeholder={t('list.labelSelectorPlaceholder')}
            allowClear
            onSearch={(v) => setSelector(v.trim())}
            style={{ width: 280 }}
            data-testid="label-selector"
          />
          <Tag
            color={live.state === 'live' ? 'green' : 'orange'}
            style={{ color: live.state === 'live' ? '#135200' : '#873800' }}
            data-testid="watch-state"
          >
            {t(`list.${live.state}`)}
          </Tag>
          <Typography.Text data-testid="row-count">{t('list.count', { count: rows.length })}</Typography.Text>
        </Space>
      </Space>
      {live.error ? (
        <ErrorAlert error={live.error} />
      ) : (
        <Table
          aria-label={t('list.table', { kind: title })}
          data-testid="resource-table"
          virtual
          size="small"
          rowKey={(o) => o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`}
          columns={columns}
          dataSource={rows}
          loading={live.loading}
          pagination={false}
          scroll={{ x: width, y: Math.max(320, window.innerHeight - 240) }}
          locale={{ emptyText: <Empty description={t('list.empty')} /> }}
        />
      )}
    </section>
  );
}
