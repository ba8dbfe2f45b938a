// Set, add or remove one key of a ConfigSet. "Check" asks the API server with a dry run and shows
// the per-key change and what it does to each application reading the ConfigSet (rollout, in
// place, nothing) before "Save" writes anything; any refusal shows the API's message beside the
// field it names. A change of the input after a check asks for a new check.
import { Button, Checkbox, Form, Input, Modal, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkEdit, KEY_PATTERN, keyPatch, saveEdit } from '../api/configsets.js';
import type { Application, ConfigSet, KeyChange } from '../api/platform.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { ChangePreview } from './ChangePreview.js';

export interface Saved {
  fromVersion: number;
  generation: number;
  changes: KeyChange[];
}

interface Props {
  namespace: string;
  cs: ConfigSet;
  apps: Application[];
  /** The key to edit; none to add one. */
  initialKey: string | undefined;
  onClose: () => void;
  onSaved: (s: Saved) => void;
}

export function EditKey({ namespace, cs, apps, initialKey, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  const name = cs.metadata.name;
  const [key, setKey] = useState(initialKey ?? '');
  const [value, setValue] = useState(initialKey ? (cs.spec.data?.[initialKey] ?? '') : '');
  const [remove, setRemove] = useState(false);
  const [message, setMessage] = useState('');
  const [checked, setChecked] = useState<KeyChange[]>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const keyError = !key
    ? undefined
    : !KEY_PATTERN.test(key)
      ? t('configsets.badKey')
      : !initialKey && key in (cs.spec.data ?? {})
        ? t('configsets.keyExists')
        : undefined;
  const edit = keyPatch({ key, value: remove ? null : value });
  // Any change of the input invalidates the dry run that was shown.
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T): void => {
      set(v);
      setChecked(undefined);
      setError(undefined);
    };
  const run = async (what: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await what();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const check = (): Promise<void> => run(async () => setChecked(await checkEdit(namespace, cs, edit, message)));
  const save = (): Promise<void> =>
    run(async () => {
      const written = await saveEdit(namespace, cs, edit, message);
      onSaved({
        fromVersion: cs.status?.version ?? 0,
        generation: written.metadata.generation ?? 0,
        changes: checked ?? [],
      });
    });
  const title = initialKey ? t('configsets.editTitle', { key: initialKey, name }) : t('configsets.addTitle', { name });
  return (
    <Modal
      open
      title={title}
      width={860}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('detail.cancel')}</Button>
          <Button
            onClick={() => void check()}
            loading={busy && !checked}
            disabled={!key || keyError !== undefined}
            data-testid="config-check"
          >
            {t('configsets.check')}
          </Button>
          <Button
            type="primary"
            onClick={() => void save()}
            loading={busy && checked !== undefined}
            disabled={!checked?.length}
            data-testid="config-save"
          >
            {t('configsets.save')}
          </Button>
        </Space>
      }
    >
      <Form layout="vertical" onFinish={() => void check()}>
        <Form.Item
          label={t('config.key')}
          htmlFor="config-key"
          validateStatus={keyError ? 'error' : undefined}
          help={keyError}
        >
          <Input
            id="config-key"
            value={key}
            disabled={initialKey !== undefined}
            onChange={(e) => changed(setKey)(e.target.value)}
            autoComplete="off"
          />
        </Form.Item>
        {initialKey && (
          <Form.Item>
            <Checkbox
              checked={remove}
              onChange={(e) => changed(setRemove)(e.target.checked)}
              data-testid="config-remove"
            >
              {t('configsets.removeKey', { key: initialKey })}
            </Checkbox>
          </Form.Item>
        )}
        {!remove && (
          <Form.Item label={t('configsets.value')} htmlFor="config-value">
            <Input.TextArea
              id="config-value"
              value={value}
              onChange={(e) => changed(setValue)(e.target.value)}
              autoSize={{ minRows: 2, maxRows: 12 }}
              spellCheck={false}
            />
          </Form.Item>
        )}
        <Form.Item label={t('configsets.message')} htmlFor="config-message" extra={t('configsets.messageHelp')}>
          <Input id="config-message" value={message} onChange={(e) => changed(setMessage)(e.target.value)} />
        </Form.Item>
      </Form>
      <ErrorAlert error={error} />
      {checked && <ChangePreview cs={cs} apps={apps} changes={checked} />}
    </Modal>
  );
}
