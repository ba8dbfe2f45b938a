// The foot of every edit form: the kubectl command that makes the same change, Save (a dry run,
// then the patch; disabled with the reason where RBAC forbids `patch`) and Reset, and the API's
// refusal as a whole when the form could not put each of its causes beside a field.
import { App, Button, Space } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { kubectlPatch, patchChecked, placesAll, type PatchOp } from '../api/jsonPatch.js';
import { objectPath, type KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { Allowed } from './Allowed.js';
import { ErrorAlert } from './ErrorAlert.js';

export interface PatchSaving {
  /** The last refusal, until the next Save or Reset. */
  readonly error: unknown;
  readonly busy: boolean;
  save(): Promise<void>;
  reset(): void;
}

/** Save and Reset of one form: `onSaved` gets the object as stored, to show it in the form again. */
export function usePatchSave(
  k: KindInfo,
  obj: KubeObject,
  patch: () => PatchOp[],
  what: string,
  onSaved: (saved: KubeObject) => void,
): PatchSaving {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { name, namespace } = obj.metadata;
  return {
    error,
    busy,
    save: async () => {
      setError(undefined);
      setBusy(true);
      try {
        onSaved(await patchChecked(objectPath(k, namespace, name), patch()));
        void message.success(t('edit.saved', { what, name }));
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    reset: () => {
      setError(undefined);
      onSaved(obj);
    },
  };
}

export function PatchSave({
  k,
  obj,
  patch,
  saving,
  fields,
  testId,
}: {
  k: KindInfo;
  obj: KubeObject;
  patch: PatchOp[];
  saving: PatchSaving;
  /** The API fields the form shows causes beside; a cause about any other shows here. */
  fields: readonly string[];
  testId: string;
}): ReactNode {
  const { t } = useTranslation();
  const { name, namespace } = obj.metadata;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <details>
        <summary>{t('edit.kubectl')}</summary>
        <pre data-testid={`${testId}-kubectl`} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', margin: 0 }}>
          {kubectlPatch(k, namespace, name, patch)}
        </pre>
      </details>
      {!placesAll(saving.error, fields) && <ErrorAlert error={saving.error} />}
      <Space>
        <Allowed query={{ verb: 'patch', group: k.group, resource: k.plural, namespace: namespace ?? '', name }}>
          <Button
            type="primary"
            loading={saving.busy}
            onClick={() => void saving.save()}
            data-testid={`${testId}-save`}
          >
            {t('edit.save')}
          </Button>
        </Allowed>
        <Button onClick={saving.reset}>{t('edit.reset')}</Button>
      </Space>
    </Space>
  );
}
