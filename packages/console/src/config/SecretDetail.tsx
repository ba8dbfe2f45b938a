// One Secret's keys, edited from the Configuration page: each key with its value's size and the
// value hidden; Reveal fetches and shows that one value (when RBAC lets the user read the
// Secret; a value that is not UTF-8 as its size and a download), Set value replaces it (typed, or
// a file's bytes), Remove takes the key out after a confirmation naming it. A user who may patch
// but not read the Secret sets keys without seeing which are there.
import { Alert, App as AntApp, Button, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { useCan } from '../api/access.js';
import { readKeys, revealKey, writeKey, type SecretKeys, type SecretValue } from '../api/secrets.js';
import { Allowed } from '../components/Allowed.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { SecretKeyDialog } from './SecretKey.js';

/** The key a row's button acts on, for screen readers (the row shows it already). */
function KeyName({ name }: { name: string }) {
  return <span className="visually-hidden"> {name}</span>;
}

/** Saves a binary value as a file named after its key. */
function download(key: string, bytes: Uint8Array<ArrayBuffer>): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = key;
  a.click();
  // The download has its own reference by now; the URL only needs to outlive this click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A revealed value: text as it is; bytes that are not UTF-8 as their size and a download. */
function ShownValue({ name, value }: { name: string; value: SecretValue }) {
  const { t } = useTranslation();
  if (typeof value === 'string')
    return (
      <Typography.Text code data-testid={`value-${name}`} style={{ whiteSpace: 'pre-wrap' }}>
        {value}
      </Typography.Text>
    );
  return (
    <Space>
      <span data-testid={`value-${name}`}>{t('secrets.binary', { count: value.length })}</span>
      <Button size="small" onClick={() => download(name, value)}>
        {t('secrets.download')}
        <KeyName name={name} />
      </Button>
    </Space>
  );
}

export default function SecretDetail() {
  const { t } = useTranslation();
  const { modal, message } = AntApp.useApp();
  const { namespace = '', name = '' } = useParams();
  const access = { group: '', resource: 'secrets', namespace, name };
  const read = useCan({ ...access, verb: 'get' });
  const [keys, setKeys] = useState<SecretKeys>();
  const [error, setError] = useState<unknown>();
  const [shown, setShown] = useState<{ key: string; value: SecretValue }>();
  // The key being set: a name, '' for a new key, undefined when no dialog is open.
  const [setting, setSetting] = useState<string>();

  const reload = useCallback((): void => {
    if (read.allowed) readKeys(namespace, name).then(setKeys, setError);
  }, [read.allowed, namespace, name]);
  useEffect(reload, [reload]);

  const reveal = (key: string): void => {
    setError(undefined);
    revealKey(namespace, name, key).then((value) => setShown({ key, value }), setError);
  };
  const remove = (key: string): void => {
    modal.confirm({
      title: t('secrets.removeTitle', { key, name }),
      content: t('secrets.removeBody', { key, name, namespace }),
      okText: t('secrets.remove'),
      okButtonProps: { danger: true },
      cancelText: t('detail.cancel'),
      onOk: () =>
        writeKey(namespace, name, key, null).then(() => {
          void message.success(t('secrets.removed', { key }));
          if (shown?.key === key) setShown(undefined);
          reload();
        }, setError),
    });
  };

  return (
    <section aria-labelledby="secret-title">
      <Link to="/configuration">{t('secrets.back')}</Link>
      <Typography.Title level={1} id="secret-title" style={{ fontSize: 22 }}>
        {t('secrets.detailTitle', { name })}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {t('secrets.where', { namespace })}
        {keys && ` · ${t('secrets.type', { type: keys.type })}`}
      </Typography.Paragraph>
      <ErrorAlert error={error} />
      {!read.pending && !read.allowed && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="secret-write-only"
          message={t('secrets.writeOnly', { reason: read.reason || t('detail.notAllowedNoReason') })}
        />
      )}
      <Space style={{ marginBottom: 16 }}>
        <Allowed query={{ ...access, verb: 'patch' }}>
          <Button onClick={() => setSetting('')}>{t('secrets.addKey')}</Button>
        </Allowed>
      </Space>
      {read.allowed && (
        <Table<SecretKeys['keys'][number]>
          aria-label={t('secrets.keysTable', { name })}
          data-testid="secret-keys"
          size="small"
          rowKey="key"
          loading={!keys && !error}
          dataSource={keys?.keys ?? []}
          pagination={false}
          columns={[
            { key: 'key', title: t('secrets.key'), render: (_: unknown, k: SecretKeys['keys'][number]) => k.key },
            {
              key: 'value',
              title: t('secrets.value'),
              render: (_: unknown, k: SecretKeys['keys'][number]) =>
                shown?.key === k.key ? (
                  <ShownValue name={k.key} value={shown.value} />
                ) : (
                  <span data-testid={`value-${k.key}`}>{t('secrets.hidden', { count: k.bytes })}</span>
                ),
            },
            {
              key: 'actions',
              title: t('secrets.actions'),
              render: (_: unknown, k: SecretKeys['keys'][number]) => (
                <Space wrap>
                  {shown?.key === k.key ? (
                    <Button size="small" onClick={() => setShown(undefined)}>
                      {t('secrets.hide')}
                    </Button>
                  ) : (
                    <Button size="small" onClick={() => reveal(k.key)}>
                      {t('secrets.reveal')}
                      <KeyName name={k.key} />
                    </Button>
                  )}
                  <Allowed query={{ ...access, verb: 'patch' }}>
                    <Button size="small" onClick={() => setSetting(k.key)}>
                      {t('secrets.setValue')}
                      <KeyName name={k.key} />
                    </Button>
                  </Allowed>
                  <Allowed query={{ ...access, verb: 'patch' }}>
                    <Button size="small" danger onClick={() => remove(k.key)}>
                      {t('secrets.remove')}
                      <KeyName name={k.key} />
                    </Button>
                  </Allowed>
                </Space>
              ),
            },
          ]}
        />
      )}
      {setting !== undefined && (
        <SecretKeyDialog
          title={setting ? t('secrets.setTitle', { key: setting, name }) : t('secrets.addTitle', { name })}
          okText={t('secrets.save')}
          fixedKey={setting || undefined}
          submit={({ key, value }) =>
            writeKey(namespace, name, key, value).then(() => {
              setSetting(undefined);
              if (shown?.key === key) setShown(undefined);
              void message.success(t('secrets.saved', { key }));
              reload();
            })
          }
          onClose={() => setSetting(undefined)}
        />
      )}
    </section>
  );
}
