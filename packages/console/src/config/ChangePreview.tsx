// What a checked (dry-run) change of a ConfigSet does: the version it publishes, the per-key
// change and its effect on each application reading it — shown before anything is written.
import { Alert, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { impactOf } from '../api/configsets.js';
import type { Application, ConfigSet, KeyChange } from '../api/platform.js';
import { ChangesTable } from '../apps/ConfigVersions.js';
import { ImpactTable } from './Readers.js';

export function ChangePreview({ cs, apps, changes }: { cs: ConfigSet; apps: Application[]; changes: KeyChange[] }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="config-preview">
      {changes.length ? (
        <>
          <Alert
            type="info"
            showIcon
            role="status"
            message={t('configsets.checked', { version: (cs.status?.version ?? 0) + 1 })}
          />
          <ChangesTable
            changes={changes}
            label={t('configsets.changesLabel')}
            testId="config-preview-changes"
            before={t('configsets.before')}
            after={t('configsets.after')}
          />
          <ImpactTable
            entries={impactOf(cs.metadata.name, changes, apps)}
            testId="config-impact"
            label={t('configsets.impactLabel')}
          />
        </>
      ) : (
        <Alert type="info" showIcon role="status" message={t('configsets.nothingChanges')} />
      )}
    </Space>
  );
}
