// Images: the built-in registry's repositories and their tags, read from its /v2 API with the
// user's token. The registry has no watch, so the page asks again every 15 s (and on Refresh).
import { Button, Empty, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { repositories, tags } from '../api/registry.js';
import { usePeriodic } from '../api/usePeriodic.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

interface Row {
  readonly repository: string;
  readonly tags: string[];
}

/** At most this many tags inline in the list; the repository's page has all of them. */
const SHOWN_TAGS = 6;

export const repositoryRoute = (repository: string): string =>
  `/images/${repository.split('/').map(encodeURIComponent).join('/')}`;

async function load(): Promise<Row[]> {
  const names = await repositories();
  return Promise.all(names.map(async (repository) => ({ repository, tags: await tags(repository) })));
}

export default function Images() {
  const { t } = useTranslation();
  const r = usePeriodic('catalog', load);
  return (
    <section aria-labelledby="images-title">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} align="center">
        <Typography.Title level={1} id="images-title" style={{ fontSize: 22 }}>
          {t('images.title')}
        </Typography.Title>
        <Button onClick={r.reload}>{t('images.refresh')}</Button>
      </Space>
      <Typography.Paragraph>{t('images.intro')}</Typography.Paragraph>
      <ErrorAlert error={r.error} />
      <Table
        aria-label={t('images.repositories')}
        data-testid="repositories-table"
        size="small"
        pagination={false}
        loading={!r.value && !r.error}
        dataSource={r.value ?? []}
        rowKey="repository"
        locale={{ emptyText: <Empty description={t('images.empty')} /> }}
        columns={[
          {
            key: 'repository',
            title: t('images.repository'),
            render: (_: unknown, row: Row) => <Link to={repositoryRoute(row.repository)}>{row.repository}</Link>,
          },
          { key: 'count', title: t('images.tagCount'), render: (_: unknown, row: Row) => row.tags.length },
          {
            key: 'tags',
            title: t('images.tags'),
            render: (_: unknown, row: Row) => (
              <Space wrap size={[4, 4]}>
                {row.tags.slice(0, SHOWN_TAGS).map((tag) => (
                  <Tag key={tag}>{tag}</Tag>
                ))}
                {row.tags.length > SHOWN_TAGS && (
                  <span>{t('images.more', { count: row.tags.length - SHOWN_TAGS })}</span>
                )}
              </Space>
            ),
          },
        ]}
      />
    </section>
  );
}
