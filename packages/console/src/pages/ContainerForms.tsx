// The Edit tab of a Deployment, StatefulSet or DaemonSet: per container of its pod template, the
// image, the environment variables (plain, or a key of a ConfigMap or Secret) and the CPU and
// memory requests and limits, each form saved on its own as a JSON patch (see api/containers.ts).
// A form keeps the user's input while the object changes underneath; Save or Reset reloads it.
import { Card, Form, Input, Select, Space, Typography } from 'antd';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  containerPatch,
  fromEnvRows,
  fromResourceForm,
  RESOURCE_NAMES,
  templateField,
  toEnvRows,
  toResourceForm,
  type Container,
  type EnvRow,
  type EnvSource,
  type ResourceForm,
} from '../api/containers.js';
import type { KindInfo } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import { field } from '../components/columns.js';
import { AddRow, fieldStatus, RemoveRow, RowHeads, RowInput } from '../components/FormRows.js';
import { PatchSave, usePatchSave } from '../components/PatchSave.js';

/** The widths of an environment variable's inputs, shared with the column names above them. */
const W = { name: 200, source: 160, value: 200, key: 200 } as const;

interface FormProps {
  k: KindInfo;
  obj: KubeObject;
  index: number;
}

const containersOf = (o: KubeObject): Container[] =>
  (field(o, 'spec', 'template', 'spec', 'containers') as Container[] | undefined) ?? [];

/** The container as the form first shows it, and as the object stored after a Save or Reset. */
function useContainerState<T>(obj: KubeObject, index: number, from: (c: Container | undefined) => T) {
  const [value, setValue] = useState(() => from(containersOf(obj)[index]));
  return [value, setValue, (saved: KubeObject) => setValue(from(containersOf(saved)[index]))] as const;
}

function ImageForm({ k, obj, index }: FormProps) {
  const { t } = useTranslation();
  const id = useId();
  const [image, setImage, reload] = useContainerState(obj, index, (c) => c?.image ?? '');
  const at = `${templateField(index)}.image`;
  const patch = containerPatch(containersOf(obj), index, 'image', image.trim() || undefined);
  const saving = usePatchSave(k, obj, () => patch, t('edit.image'), reload);
  const testId = `image-${index}`;
  return (
    <Form layout="vertical" component="div">
      <Form.Item label={t('edit.image')} htmlFor={id} {...fieldStatus(saving.error, at, testId)}>
        <Input id={id} value={image} onChange={(e) => setImage(e.target.value)} data-testid={`${testId}-input`} />
      </Form.Item>
      <PatchSave k={k} obj={obj} patch={patch} saving={saving} fields={[at]} testId={testId} />
    </Form>
  );
}

function EnvRowInputs({
  row,
  n,
  error,
  at,
  onChange,
  onRemove,
}: {
  row: EnvRow;
  n: number;
  error: unknown;
  at: string;
  onChange: (r: EnvRow) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const testId = `env-${n}`;
  const sources: EnvSource[] = row.source === 'other' ? ['other'] : ['value', 'configMap', 'secret'];
  const fromObject = row.source === 'configMap' || row.source === 'secret';
  const ref = row.source === 'configMap' ? 'configMapKeyRef' : 'secretKeyRef';
  return (
    <Space align="start" wrap data-testid={`${testId}-row`}>
      <RowInput
        error={error}
        field={`${at}.name`}
        testId={`${testId}-name`}
        width={W.name}
        label={t('edit.envName', { n })}
        placeholder={t('edit.colName')}
        value={row.name}
        onChange={(name) => onChange({ ...row, name })}
      />
      <Select
        aria-label={t('edit.envSource', { n })}
        style={{ width: W.source }}
        value={row.source}
        disabled={row.source === 'other'}
        onChange={(source: EnvSource) => onChange({ ...row, source })}
        options={sources.map((s) => ({ value: s, label: t(`edit.source.${s}`) }))}
      />
      {row.source !== 'other' && (
        <RowInput
          error={error}
          field={fromObject ? `${at}.valueFrom.${ref}.name` : `${at}.value`}
          testId={`${testId}-value`}
          width={W.value}
          label={t(`edit.envValue.${row.source}`, { n })}
          placeholder={t(`edit.envValuePlaceholder.${row.source}`)}
          value={row.value}
          onChange={(value) => onChange({ ...row, value })}
        />
      )}
      {fromObject ? (
        <RowInput
          error={error}
          field={`${at}.valueFrom.${ref}.key`}
          testId={`${testId}-key`}
          width={W.key}
          label={t('edit.envKey', { n })}
          placeholder={t('edit.colKey')}
          value={row.key}
          onChange={(key) => onChange({ ...row, key })}
        />
      ) : (
        // The columns' space kept, so every row's Remove lines up.
        <span style={{ display: 'inline-block', width: row.source === 'other' ? W.value + 8 + W.key : W.key }} />
      )}
      <RemoveRow label={t('edit.envRemove', { n })} onClick={onRemove} />
    </Space>
  );
}

function EnvForm({ k, obj, index }: FormProps) {
  const { t } = useTranslation();
  const [rows, setRows, reload] = useContainerState(obj, index, (c) => toEnvRows(c?.env));
  const at = `${templateField(index)}.env`;
  const patch = containerPatch(containersOf(obj), index, 'env', fromEnvRows(rows));
  const saving = usePatchSave(k, obj, () => patch, t('edit.env'), reload);
  const testId = `env-form-${index}`;
  return (
    <Form layout="vertical" component="div">
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('edit.env')}
      </Typography.Title>
      {rows.length ? (
        <RowHeads
          columns={[
            [t('edit.colName'), W.name],
            [t('edit.colSource'), W.source],
            [t('edit.colValue'), W.value],
            [t('edit.colKey'), W.key],
          ]}
        />
      ) : (
        <Typography.Paragraph>{t('edit.noEnv')}</Typography.Paragraph>
      )}
      {rows.map((row, i) => (
        <EnvRowInputs
          key={i}
          row={row}
          n={i + 1}
          error={saving.error}
          at={`${at}[${i}]`}
          onChange={(r) => setRows(rows.map((x, j) => (j === i ? r : x)))}
          onRemove={() => setRows(rows.filter((_, j) => j !== i))}
        />
      ))}
      <AddRow
        label={t('edit.envAdd')}
        testId={`${testId}-add`}
        onClick={() => setRows([...rows, { name: '', source: 'value', value: '', key: '' }])}
      />
      <PatchSave
        k={k}
        obj={obj}
        patch={patch}
        saving={saving}
        fields={rows.map((_, i) => `${at}[${i}]`)}
        testId={testId}
      />
    </Form>
  );
}

function ResourcesForm({ k, obj, index }: FormProps) {
  const { t } = useTranslation();
  const id = useId();
  const was = containersOf(obj)[index]?.resources;
  const [form, setForm, reload] = useContainerState(obj, index, (c) => toResourceForm(c?.resources));
  const at = `${templateField(index)}.resources`;
  const patch = containerPatch(containersOf(obj), index, 'resources', fromResourceForm(form, was));
  const saving = usePatchSave(k, obj, () => patch, t('edit.resources'), reload);
  const testId = `resources-${index}`;
  const set = (list: keyof ResourceForm, n: (typeof RESOURCE_NAMES)[number], v: string): void =>
    setForm({ ...form, [list]: { ...form[list], [n]: v } });
  return (
    <Form layout="vertical" component="div">
      <Typography.Title level={3} style={{ fontSize: 15 }}>
        {t('edit.resources')}
      </Typography.Title>
      <Typography.Paragraph>{t('edit.resourcesHint')}</Typography.Paragraph>
      <Space wrap align="start">
        {(['requests', 'limits'] as const).flatMap((list) =>
          RESOURCE_NAMES.map((n) => (
            <Form.Item
              key={`${list}-${n}`}
              label={t(`edit.${list}.${n}`)}
              htmlFor={`${id}-${list}-${n}`}
              {...fieldStatus(saving.error, `${at}.${list}[${n}]`, `${testId}-${list}-${n}`)}
            >
              <Input
                id={`${id}-${list}-${n}`}
                style={{ width: 160 }}
                value={form[list][n]}
                onChange={(e) => set(list, n, e.target.value)}
                data-testid={`${testId}-${list}-${n}`}
              />
            </Form.Item>
          )),
        )}
      </Space>
      <PatchSave k={k} obj={obj} patch={patch} saving={saving} fields={[at]} testId={testId} />
    </Form>
  );
}

export default function ContainerForms({ k, obj }: { k: KindInfo; obj: KubeObject }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Typography.Paragraph>{t('edit.intro')}</Typography.Paragraph>
      {containersOf(obj).map((c, index) => (
        // A form per container, made again for another object (its uid) but not for a new version of this one.
        <Card
          key={`${obj.metadata.uid ?? ''}/${c.name}`}
          title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('edit.container', { name: c.name })}</h2>}
          data-testid={`container-${c.name}`}
        >
          <Space direction="vertical" style={{ width: '100%' }} size="large">
            <ImageForm k={k} obj={obj} index={index} />
            <EnvForm k={k} obj={obj} index={index} />
            <ResourcesForm k={k} obj={obj} index={index} />
          </Space>
        </Card>
      ))}
    </Space>
  );
}
