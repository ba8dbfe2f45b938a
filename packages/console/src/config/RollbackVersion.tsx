// Roll a ConfigSet back to one of its versions, as `wharf config rollback --to N`: the version's
// data becomes the ConfigSet's again (keys it lacks removed), published as a new version. The
// change is checked with a dry run as the modal opens and previewed (keys and the applications it
// rolls out) before "Roll back" writes it.
import { Button, Modal, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkEdit, restorePatch, saveEdit, type DataPatch } from '../api/configsets.js';
import {
  configVersionData,
  type Application,
  type ConfigSet,
  type ConfigVersion,
  type KeyChange,
} from '../api/platform.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { ChangePreview } from './ChangePreview.js';
import type { Saved } from './EditKey.js';

export function RollbackVersion({
  namespace,
  cs,
  apps,
  to,
  onClose,
  onSaved,
}: {
  namespace: string;
  cs: ConfigSet;
  apps: Application[];
  to: ConfigVersion;
  onClose: () => void;
  onSaved: (s: Saved) => void;
}) {
  const { t } = useTranslation();
  const name = cs.metadata.name;
  const message = t('configsets.rollbackMessage', { version: to.version });
  const [checked, setChecked] = useState<{ patch: DataPatch; changes: KeyChange[] }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const patch = restorePatch(cs.spec.data ?? {}, await configVersionData(namespace, to.configMap));
        const changes = await checkEdit(namespace, cs, patch, message);
        if (live) setChecked({ patch, changes });
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
    // Checked once per opening, against the ConfigSet as it was then; saving sends its resourceVersion.
  }, [to.configMap]);
  const save = async (): Promise<void> => {
    if (!checked) return;
    setBusy(true);
    setError(undefined);
    try {
      const written = await saveEdit(namespace, cs, checked.patch, message);
      onSaved({
        fromVersion: cs.status?.version ?? 0,
        generation: written.metadata.generation ?? 0,
        changes: checked.changes,
      });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      width={860}
      title={t('configsets.rollbackTitle', { name, version: to.version })}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('detail.cancel')}</Button>
          <Button
            type="primary"
            danger
            onClick={() => void save()}
            loading={busy}
            disabled={!checked?.changes.length}
            data-testid="config-rollback-save"
          >
            {t('apps.rollback')}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph>
        {t('configsets.rollbackBody', { name, namespace, version: to.version })}
      </Typography.Paragraph>
      <ErrorAlert error={error} />
      {checked ? (
        <ChangePreview cs={cs} apps={apps} changes={checked.changes} />
      ) : (
        !error && <Typography.Text>{t('yaml.checking')}</Typography.Text>
      )}
    </Modal>
  );
}
