// Setting one key of a Secret: the value typed replaces what is there, which is never shown or
// prefilled. The API's refusal (RBAC, a bad key) shows in the dialog with its message.
import { Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { KEY_PATTERN } from '../api/configsets.js';
import { writeKey } from '../api/secrets.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

/** The key (unless fixed) and value inputs, shared by "create" and "set". */
export function KeyValueFields(p: {
  keyValue: string;
  onKey?: (k: string) => void;
  value: string;
  onValue: (v: string) => void;
}) {
  const { t } = useTranslation();
  const bad = p.keyValue !== '' && !KEY_PATTERN.test(p.keyValue);
  return (
    <>
      {p.onKey && (
        <Form.Item
          label={t('secrets.key')}
          htmlFor="secret-key"
          validateStatus={bad ? 'error' : undefined}
          help={bad ? t('configsets.badKey') : undefined}
        >
          <Input id="secret-key" autoComplete="off" value={p.keyValue} onChange={(e) => p.onKey?.(e.target.value)} />
        </Form.Item>
      )}
      <Form.Item label={t('secrets.value')} htmlFor="secret-value" extra={t('secrets.valueHelp')}>
        <Input.TextArea
          id="secret-value"
          autoComplete="off"
          spellCheck={false}
          rows={3}
          value={p.value}
          onChange={(e) => p.onValue(e.target.value)}
        />
      </Form.Item>
    </>
  );
}

interface Props {
  namespace: string;
  name: string;
  /** The key to set; undefined: the user names a new one. */
  fixedKey: string | undefined;
  onClose: () => void;
  onSaved: (key: string) => void;
}

export function SetSecretKey({ namespace, name, fixedKey, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const [key, setKey] = useState(fixedKey ?? '');
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const save = (): void => {
    setBusy(true);
    setError(undefined);
    writeKey(namespace, name, key, value)
      .then(() => onSaved(key))
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return (
    <Modal
      open
      title={fixedKey ? t('secrets.setTitle', { key: fixedKey, name }) : t('secrets.addTitle', { name })}
      okText={t('secrets.save')}
      cancelText={t('detail.cancel')}
      okButtonProps={{ disabled: !key || !KEY_PATTERN.test(key), loading: busy }}
      onOk={save}
      onCancel={onClose}
    >
      <Form layout="vertical">
        <KeyValueFields keyValue={key} {...(fixedKey ? {} : { onKey: setKey })} value={value} onValue={setValue} />
      </Form>
      <ErrorAlert error={error} />
    </Modal>
  );
}
