// Silencing from the console: a Silence button per alert (all its labels as matchers, for how
// long and why) and the table of silences with Expire after a confirmation naming the silence.
// Both are disabled with the reason where RBAC forbids (silences.monitoring.wharf.dev), which the
// gateway in `wharf up` enforces too.
import { App, Button, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  createSilence,
  describeMatchers,
  expireSilence,
  matchersOf,
  silenceAccess,
  silenceNamespace,
  type Silence,
} from '../api/silences.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

const HOURS = [1, 4, 24, 168] as const;

export function SilenceButton({ labels, onDone }: { labels: Record<string, string>; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [hours, setHours] = useState<number>(HOURS[0]);
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const matchers = matchersOf(labels);
  const name = labels.alertname ?? '';
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await createSilence(matchers, hours, comment);
      void message.success(t('silences.created', { name }));
      setOpen(false);
      setComment('');
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Allowed query={silenceAccess('create', silenceNamespace(matchers))}>
        <Button size="small" onClick={() => setOpen(true)} data-testid={`silence-${name}`}>
          {/* The alert's name is part of what screen readers hear, hidden from sight (the row shows it). */}
          {t('silences.silence')}
          <span className="visually-hidden">{` ${name}`}</span>
        </Button>
      </Allowed>
      <Modal
        open={open}
        title={t('silences.title', { name })}
        okText={t('silences.silence')}
        cancelText={t('detail.cancel')}
        confirmLoading={busy}
        okButtonProps={{ disabled: !comment.trim() }}
        onOk={() => void submit()}
        onCancel={() => setOpen(false)}
        destroyOnClose
      >
        <Typography.Paragraph>{t('silences.matchersHelp')}</Typography.Paragraph>
        <Typography.Paragraph>
          <Typography.Text code data-testid="silence-matchers">
            {describeMatchers(matchers)}
          </Typography.Text>
        </Typography.Paragraph>
        <Form layout="vertical">
          <Form.Item label={t('silences.duration')} htmlFor="silence-hours">
            <Select
              id="silence-hours"
              value={hours}
              onChange={setHours}
              options={HOURS.map((h) => ({ value: h, label: t('silences.hours', { count: h }) }))}
            />
          </Form.Item>
          <Form.Item label={t('silences.comment')} htmlFor="silence-comment" required>
            <Input
              id="silence-comment"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder={t('silences.commentPlaceholder')}
            />
          </Form.Item>
        </Form>
        <ErrorAlert error={error} />
      </Modal>
    </>
  );
}

export function SilencesTable({
  silences,
  loading,
  onChange,
}: {
  silences: Silence[];
  loading: boolean;
  onChange: () => void;
}) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const [error, setError] = useState<unknown>();
  const confirmExpire = (s: Silence): void => {
    const what = describeMatchers(s.matchers);
    modal.confirm({
      title: t('silences.expireTitle', { id: s.id.slice(0, 8) }),
      content: t('silences.expireBody', { id: s.id, matchers: what, by: s.createdBy }),
      okText: t('silences.expire'),
      okButtonProps: { danger: true },
      cancelText: t('detail.cancel'),
      onOk: async () => {
        setError(undefined);
        try {
          await expireSilence(s.id);
          void message.success(t('silences.expired', { id: s.id.slice(0, 8) }));
          onChange();
        } catch (e) {
          setError(e);
        }
      },
    });
  };
  return (
    <>
      <ErrorAlert error={error} />
      <Table
        size="small"
        aria-label={t('silences.list')}
        data-testid="silences-table"
        loading={loading}
        pagination={false}
        dataSource={silences}
        rowKey="id"
        locale={{ emptyText: t('silences.none') }}
        columns={[
          {
            key: 'matchers',
            title: t('silences.matchers'),
            render: (_: unknown, s: Silence) => describeMatchers(s.matchers),
          },
          {
            key: 'state',
            title: t('col.status'),
            render: (_: unknown, s: Silence) => <Tag>{t(`silences.states.${s.status.state}`)}</Tag>,
          },
          { key: 'by', title: t('silences.createdBy'), dataIndex: 'createdBy' },
          { key: 'comment', title: t('silences.comment'), dataIndex: 'comment' },
          { key: 'ends', title: t('silences.endsAt'), dataIndex: 'endsAt' },
          {
            key: 'actions',
            title: t('apps.actions'),
            render: (_: unknown, s: Silence) =>
              s.status.state === 'expired' ? null : (
                <Allowed query={silenceAccess('delete', silenceNamespace(s.matchers))}>
                  <Button size="small" danger onClick={() => confirmExpire(s)} data-testid="expire-silence">
                    {t('silences.expire')}
                  </Button>
                </Allowed>
              ),
          },
        ]}
      />
    </>
  );
}
