// An Application's kept revisions, newest first, live; roll back to one after a confirmation that
// names the application and previews what changes (images and config versions), the same request
// as `wharf app rollback NAME --to N`. Disabled with the reason where RBAC forbids patching.
import { App, Button, Space, Table, Tag, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  GROUP,
  LABEL_APPLICATION,
  requestRollback,
  revisionsPath,
  type Application,
  type Revision,
} from '../api/platform.js';
import { useWatchList } from '../api/useWatchList.js';
import { Allowed } from '../components/Allowed.js';
import { age } from '../components/age.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

const imagesOf = (r: Revision): string[] =>
  (r.status?.images?.length ? r.status.images : r.spec.images).map((p) => `${p.component}/${p.role}=${p.image}`);
const configOf = (r: Revision): string[] => [
  ...r.spec.config.map((c) => `${c.configSet}@v${c.version}`),
  ...r.spec.secrets.map((s) => `secret ${s.secret}@${s.hash.slice(0, 8)}`),
];

/** What rolling back from `current` to `target` changes, one line each. */
export function rollbackPreview(current: Revision | undefined, target: Revision, t: TFunction): string[] {
  const lines: string[] = [];
  const diff = (a: string[], b: string[], what: 'image' | 'config'): void => {
    for (const x of b.filter((v) => !a.includes(v))) lines.push(t(`apps.preview.${what}`, { value: x }));
  };
  diff(current ? imagesOf(current) : [], imagesOf(target), 'image');
  diff(current ? configOf(current) : [], configOf(target), 'config');
  return lines.length ? lines : [t('apps.preview.same')];
}

export function Revisions({ app }: { app: Application }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const { name, namespace = '' } = app.metadata;
  const [error, setError] = useState<unknown>();
  const live = useWatchList(revisionsPath(namespace), { labelSelector: `${LABEL_APPLICATION}=${name}` });
  const revisions = useMemo(
    () =>
      (live.items as Revision[])
        .filter((r) => r.spec.application === name)
        .sort((a, b) => b.spec.revision - a.spec.revision),
    [live.items, name],
  );
  const currentNo = app.status?.revision;
  const current = revisions.find((r) => r.spec.revision === currentNo);
  const confirm = (target: Revision): void => {
    const to = target.spec.revision;
    modal.confirm({
      title: t('apps.rollbackTitle', { name, revision: to }),
      content: (
        <div data-testid="rollback-preview">
          <p>{t('apps.rollbackBody', { name, namespace, revision: to })}</p>
          <ul>
            {rollbackPreview(current, target, t).map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        </div>
      ),
      okText: t('apps.rollback'),
      cancelText: t('detail.cancel'),
      onOk: async () => {
        setError(undefined);
        try {
          await requestRollback(namespace, name, to);
          void message.success(t('apps.rollbackRequested', { name, revision: to }));
        } catch (e) {
          setError(e);
        }
      },
    });
  };
  if (live.error) return <ErrorAlert error={live.error} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <ErrorAlert error={error} />
      <Table
        size="small"
        aria-label={t('apps.revisions')}
        data-testid="revisions-table"
        rowKey={(r) => r.metadata.name}
        loading={live.loading}
        pagination={false}
        dataSource={revisions}
        columns={[
          {
            key: 'revision',
            title: t('apps.revision'),
            render: (_: unknown, r: Revision) => (
              <span data-testid="revision-number">
                {r.spec.revision}
                {r.spec.revision === currentNo && (
                  <Tag color="green" style={{ color: '#135200', marginLeft: 8 }}>
                    {t('apps.current')}
                  </Tag>
                )}
              </span>
            ),
          },
          { key: 'age', title: t('col.age'), render: (_: unknown, r: Revision) => age(r.metadata.creationTimestamp) },
          { key: 'phase', title: t('apps.phase'), render: (_: unknown, r: Revision) => r.status?.phase ?? 'Pending' },
          {
            key: 'cause',
            title: t('apps.cause'),
            render: (_: unknown, r: Revision) => <span data-testid="revision-cause">{r.spec.cause}</span>,
          },
          {
            key: 'config',
            title: t('apps.config'),
            render: (_: unknown, r: Revision) => configOf(r).join(', ') || '-',
          },
          {
            key: 'images',
            title: t('apps.images'),
            render: (_: unknown, r: Revision) => (
              <Space direction="vertical" size={0}>
                {imagesOf(r).map((i) => (
                  <Typography.Text key={i} code>
                    {i}
                  </Typography.Text>
                ))}
              </Space>
            ),
          },
          {
            key: 'actions',
            title: t('apps.actions'),
            render: (_: unknown, r: Revision) =>
              r.spec.revision === currentNo ? null : (
                <Allowed query={{ verb: 'patch', group: GROUP, resource: 'applications', namespace, name }}>
                  <Button size="small" onClick={() => confirm(r)} data-testid={`rollback-${r.spec.revision}`}>
                    {/* Visible "Roll back"; the revision for screen readers, so each button's name differs. */}
                    {t('apps.rollback')}
                    <span className="visually-hidden">{t('apps.toRevision', { revision: r.spec.revision })}</span>
                  </Button>
                </Allowed>
              ),
          },
        ]}
      />
    </Space>
  );
}
