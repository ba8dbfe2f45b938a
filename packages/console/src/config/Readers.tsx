// Who reads a ConfigSet: each application component, how (env, args, files), which keys, and what
// a change does to it (the impact of "no change": its update policy).
import { Empty, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { readsOf, type ImpactEntry } from '../api/configsets.js';
import type { Application } from '../api/platform.js';

/** The impact table, shared by the readers tab (no change yet) and the edit preview. */
export function ImpactTable({ entries, testId, label }: { entries: ImpactEntry[]; testId: string; label: string }) {
  const { t } = useTranslation();
  if (!entries.length) return <Empty description={t('configsets.noReaders')} />;
  return (
    <Table
      size="small"
      aria-label={label}
      data-testid={testId}
      rowKey={(e) => `${e.application}/${e.component}/${e.reads}`}
      pagination={false}
      dataSource={entries}
      columns={[
        { key: 'app', title: t('nav.applications'), dataIndex: 'application' },
        { key: 'component', title: t('apps.component'), dataIndex: 'component' },
        { key: 'reads', title: t('configsets.reads'), dataIndex: 'reads' },
        {
          key: 'keys',
          title: t('configsets.keysRead'),
          render: (_: unknown, e: ImpactEntry) => e.keys.join(', ') || '-',
        },
        {
          key: 'effect',
          title: t('configsets.effect'),
          render: (_: unknown, e: ImpactEntry) => (
            <Tag data-testid="impact-effect">{t(`configsets.effects.${e.effect}`)}</Tag>
          ),
        },
        {
          key: 'why',
          title: t('configsets.why'),
          render: (_: unknown, e: ImpactEntry) => (
            <>
              {t(`configsets.whys.${e.why}`)}
              {e.missing.length > 0 && (
                <div role="alert" className="impact-problem">
                  {t('configsets.missingKeys', { keys: e.missing.join(', ') })}
                </div>
              )}
            </>
          ),
        },
      ]}
    />
  );
}

export function Readers({ name, apps }: { name: string; apps: Application[] }) {
  const { t } = useTranslation();
  const entries = apps.flatMap((app) =>
    app.spec.components.flatMap((comp) =>
      (comp.config ?? [])
        .filter((r) => r.configSet === name)
        .map((ref): ImpactEntry => ({
          application: app.metadata.name,
          component: comp.name,
          reads: readsOf(ref),
          keys: ref.keys ?? [t('configsets.allKeys')],
          effect:
            (ref.update ?? 'rollout') === 'rollout' ? 'rollout' : ref.update === 'inPlace' ? 'inPlace' : 'nothing',
          why: ref.update === 'manual' ? 'manual' : ref.update === 'inPlace' ? 'inPlace' : 'rollout',
          missing: [],
        })),
    ),
  );
  return <ImpactTable entries={entries} testId="configset-readers" label={t('configsets.readersOf', { name })} />;
}
