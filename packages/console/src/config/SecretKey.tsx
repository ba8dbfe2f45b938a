// The dialog that writes one key of a Secret, new or existing: the value typed (or a file's bytes,
// as they are) replaces what is there, which is never shown or prefilled. The API's refusal (RBAC,
// a bad name) shows in the dialog with its message.
import { Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KEY_PATTERN } from '../api/configsets.js';
import type { SecretValue } from '../api/secrets.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

export interface KeyEntry {
  /** The Secret's name, when the dialog asks for it (a new Secret); '' otherwise. */
  readonly name: string;
  readonly key: string;
  readonly value: SecretValue;
}

interface Props {
  readonly title: string;
  readonly okText: string;
  /** Ask for the Secret's name too: a new Secret. @default false */
  readonly askName?: boolean;
  /** The key to set; undefined: the user names it. */
  readonly fixedKey?: string | undefined;
  /** The write; a rejection shows in the dialog. */
  readonly submit: (e: KeyEntry) => Promise<unknown>;
  readonly onClose: () => void;
}

export function SecretKeyDialog({ title, okText, askName = false, fixedKey, submit, onClose }: Props) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [key, setKey] = useState(fixedKey ?? '');
  const [value, setValue] = useState('');
  // A file chosen instead of typing: its bytes are the value.
  const [file, setFile] = useState<{ name: string; bytes: Uint8Array<ArrayBuffer> }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const badKey = key !== '' && !KEY_PATTERN.test(key);
  const save = (): void => {
    setBusy(true);
    setError(undefined);
    submit({ name: name.trim(), key, value: file?.bytes ?? value })
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return (
    <Modal
      open
      title={title}
      okText={okText}
      cancelText={t('detail.cancel')}
      okButtonProps={{ disabled: (askName && !name.trim()) || !key || badKey, loading: busy }}
      onOk={save}
      onCancel={onClose}
    >
      <Form layout="vertical">
        {askName && (
          <Form.Item label={t('col.name')} htmlFor="secret-name">
            <Input id="secret-name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
          </Form.Item>
        )}
        {fixedKey === undefined && (
          <Form.Item
            label={t('secrets.key')}
            htmlFor="secret-key"
            validateStatus={badKey ? 'error' : undefined}
            help={badKey ? t('configsets.badKey') : undefined}
          >
            <Input id="secret-key" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
          </Form.Item>
        )}
        <Form.Item label={t('secrets.value')} htmlFor="secret-value" extra={t('secrets.valueHelp')}>
          <Input.TextArea
            id="secret-value"
            autoComplete="off"
            spellCheck={false}
            rows={3}
            value={value}
            disabled={file !== undefined}
            onChange={(e) => setValue(e.target.value)}
          />
        </Form.Item>
        <Form.Item
          label={t('secrets.file')}
          htmlFor="secret-file"
          extra={file ? t('secrets.fileChosen', { name: file.name, count: file.bytes.length }) : t('secrets.fileHelp')}
        >
          <input
            id="secret-file"
            type="file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) setFile(undefined);
              else void f.arrayBuffer().then((b) => setFile({ name: f.name, bytes: new Uint8Array(b) }), setError);
            }}
          />
        </Form.Item>
      </Form>
      <ErrorAlert error={error} />
    </Modal>
  );
}
