// The Secrets of the namespace on the Configuration page, live: name, type and key count from the
// API's Table, so their values never reach the browser. A new Secret is made here with its first
// key; opening one edits its keys (SecretDetail).
import { Button, Empty, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { createSecret, secretPath, secretRoute } from '../api/secrets.js';
import type { KubeObject } from '../api/types.js';
import { useWatchList } from '../api/useWatchList.js';
import { age } from '../components/age.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';
import { SecretKeyDialog } from './SecretKey.js';

const printed = (o: KubeObject, column: string): string => String((o.printed as Record<string, unknown>)[column] ?? '');

export function SecretsSection() {
  const { t } = useTranslation();
  const { namespace } = useNamespace();
  const live = useWatchList(namespace ? secretPath(namespace) : '/api/v1/secrets', { rows: true });
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const rows = useMemo(
    () =>
      [...live.items].sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
      ),
    [live.items],
  );
  const create = (
    <Button onClick={() => setCreating(true)} disabled={!namespace} data-testid="create-secret">
      {t('secrets.create')}
    </Button>
  );
  return (
    <section aria-labelledby="secrets-title" style={{ marginTop: 32 }}>
      <Space align="baseline" style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={2} id="secrets-title" style={{ fontSize: 18 }}>
          {t('secrets.title')}
        </Typography.Title>
        {namespace ? (
          <Allowed query={{ verb: 'create', group: '', resource: 'secrets', namespace }}>{create}</Allowed>
        ) : (
          create
        )}
      </Space>
      <Typography.Paragraph type="secondary">
        {t('secrets.intro')} {!namespace && t('secrets.pickNamespace')}
      </Typography.Paragraph>
      {live.error ? (
        <ErrorAlert error={live.error} />
      ) : (
        <Table
          aria-label={t('list.table', { kind: t('secrets.title') })}
          data-testid="secrets-table"
          size="small"
          rowKey={(o) => `${o.metadata.namespace}/${o.metadata.name}`}
          dataSource={rows}
          loading={live.loading}
          pagination={false}
          locale={{ emptyText: <Empty description={t('secrets.empty')} /> }}
          columns={[
            {
              key: 'name',
              title: t('col.name'),
              render: (_: unknown, o: KubeObject) => (
                <Link to={secretRoute(o.metadata.namespace ?? '', o.metadata.name)}>{o.metadata.name}</Link>
              ),
            },
            ...(namespace
              ? []
              : [
                  {
                    key: 'namespace',
                    title: t('col.namespace'),
                    render: (_: unknown, o: KubeObject) => o.metadata.namespace,
                  },
                ]),
            { key: 'type', title: t('col.type'), render: (_: unknown, o: KubeObject) => printed(o, 'Type') },
            { key: 'keys', title: t('col.keys'), render: (_: unknown, o: KubeObject) => printed(o, 'Data') },
            {
              key: 'age',
              title: t('col.age'),
              render: (_: unknown, o: KubeObject) => age(o.metadata.creationTimestamp),
            },
          ]}
        />
      )}
      {creating && namespace && (
        <SecretKeyDialog
          title={t('secrets.createTitle', { namespace })}
          okText={t('secrets.create')}
          askName
          submit={({ name, key, value }) =>
            createSecret(namespace, name, key, value).then(() => navigate(secretRoute(namespace, name)))
          }
          onClose={() => setCreating(false)}
        />
      )}
    </section>
  );
}
