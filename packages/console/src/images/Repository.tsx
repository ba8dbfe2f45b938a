// One repository of the built-in registry: each tag with its digest, size, media type and the OCI
// annotations a Wharf build records (source, revision, created, the base image's name and digest),
// and Delete of a tag after a confirmation naming it — offered only where RBAC allows
// (`delete` on registry.wharf.dev repositories), which the registry itself enforces too.
import { App, Button, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import {
  ANNOTATIONS,
  deleteAccess,
  deleteTag,
  formatBytes,
  shortDigest,
  tagInfo,
  tags,
  type TagInfo,
} from '../api/registry.js';
import { usePeriodic } from '../api/usePeriodic.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

/** A URL only when it is one a browser may open (http/https): annotations are anyone's text. */
const link = (v: string | undefined): string | undefined => (v && /^https?:\/\//.test(v) ? v : undefined);

function Source({ value }: { value: string | undefined }) {
  if (!value) return <>-</>;
  const href = link(value);
  return href ? (
    <a href={href} target="_blank" rel="noreferrer">
      {value}
    </a>
  ) : (
    <>{value}</>
  );
}

function Digest({ value }: { value: string | undefined }) {
  if (!value) return <>-</>;
  return (
    <Typography.Text code copyable={{ text: value }} title={value} style={{ whiteSpace: 'nowrap' }}>
      {shortDigest(value)}
    </Typography.Text>
  );
}

export default function Repository() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const repository = useParams()['*'] ?? '';
  const r = usePeriodic(`repo|${repository}`, async () =>
    Promise.all((await tags(repository)).map((tag) => tagInfo(repository, tag))),
  );
  const [error, setError] = useState<unknown>();
  const confirmDelete = (info: TagInfo): void => {
    const ref = `${repository}:${info.tag}`;
    modal.confirm({
      title: t('images.deleteTitle', { ref }),
      content: t('images.deleteBody', { ref, tag: info.tag, repository, digest: shortDigest(info.digest) }),
      okText: t('detail.delete'),
      okButtonProps: { danger: true },
      cancelText: t('detail.cancel'),
      onOk: async () => {
        setError(undefined);
        try {
          await deleteTag(repository, info.tag);
          void message.success(t('images.deleted', { ref }));
          r.reload();
        } catch (e) {
          setError(e);
        }
      },
    });
  };
  const note = (i: TagInfo, k: keyof typeof ANNOTATIONS): string | undefined => i.annotations[ANNOTATIONS[k]];
  return (
    <section aria-labelledby="repository-title">
      <Link to="/images">{t('images.back')}</Link>
      <Typography.Title level={1} id="repository-title" style={{ fontSize: 22 }}>
        {t('images.repositoryTitle', { name: repository })}
      </Typography.Title>
      <Space direction="vertical" style={{ width: '100%' }}>
        <ErrorAlert error={error ?? r.error} />
        <Table
          aria-label={t('images.tagsOf', { name: repository })}
          data-testid="tags-table"
          size="small"
          pagination={false}
          loading={!r.value && !r.error}
          dataSource={r.value ?? []}
          rowKey="tag"
          scroll={{ x: true }}
          locale={{ emptyText: t('images.noTags') }}
          columns={[
            {
              key: 'tag',
              title: t('images.tag'),
              render: (_: unknown, i: TagInfo) => (
                <Typography.Text strong style={{ whiteSpace: 'nowrap' }}>
                  {i.tag}
                </Typography.Text>
              ),
            },
            {
              key: 'digest',
              title: t('images.digest'),
              render: (_: unknown, i: TagInfo) => <Digest value={i.digest} />,
            },
            {
              key: 'size',
              title: t('images.size'),
              render: (_: unknown, i: TagInfo) => (
                <span data-testid={`size-${i.tag}`} style={{ whiteSpace: 'nowrap' }}>
                  {formatBytes(i.size)}
                </span>
              ),
            },
            {
              key: 'kind',
              title: t('col.type'),
              render: (_: unknown, i: TagInfo) =>
                i.platforms.length
                  ? t('images.index', { platforms: i.platforms.join(', ') })
                  : t('images.layers', { count: i.layers }),
            },
            {
              key: 'created',
              title: t('detail.created'),
              render: (_: unknown, i: TagInfo) => note(i, 'created') ?? '-',
            },
            {
              key: 'source',
              title: t('images.source'),
              render: (_: unknown, i: TagInfo) => <Source value={note(i, 'source')} />,
            },
            {
              key: 'revision',
              title: t('images.revision'),
              render: (_: unknown, i: TagInfo) => note(i, 'revision')?.slice(0, 12) ?? '-',
            },
            {
              key: 'base',
              title: t('images.base'),
              render: (_: unknown, i: TagInfo) =>
                note(i, 'baseName') ? (
                  <Space direction="vertical" size={0}>
                    <span>{note(i, 'baseName')}</span>
                    <Digest value={note(i, 'baseDigest')} />
                  </Space>
                ) : (
                  '-'
                ),
            },
            {
              key: 'actions',
              title: t('apps.actions'),
              render: (_: unknown, i: TagInfo) => (
                <Allowed query={deleteAccess(repository)}>
                  <Button danger size="small" onClick={() => confirmDelete(i)} data-testid={`delete-${i.tag}`}>
                    {t('detail.delete')}
                    <span className="visually-hidden">{` ${repository}:${i.tag}`}</span>
                  </Button>
                </Allowed>
              ),
            },
          ]}
        />
      </Space>
    </section>
  );
}
