// The Edit tab of a Service: its ports (name, protocol, port, target port, and the node port of a
// NodePort or LoadBalancer Service), saved as one JSON patch of spec.ports (see api/servicePorts.ts).
import { Form, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KindInfo } from '../api/kinds.js';
import { newPortRow, portsPatch, toPortRows, type PortRow, type ServicePort } from '../api/servicePorts.js';
import type { KubeObject } from '../api/types.js';
import { field } from '../components/columns.js';
import { AddRow, RemoveRow, RowHeads, RowInput } from '../components/FormRows.js';
import { PatchSave, usePatchSave } from '../components/PatchSave.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/** The widths of a port's inputs, shared with the column names above them. */
const W = { name: 160, protocol: 100, port: 120, target: 160, node: 120 } as const;
const numberText = (n: number | null): string => (n === null ? '' : String(n));
const textNumber = (s: string): number | null => (s.trim() === '' ? null : Number(s));
const rowsOf = (o: KubeObject): PortRow[] => toPortRows(field(o, 'spec', 'ports') as ServicePort[] | undefined);

export default function ServicePortsForm({ k, obj }: { k: KindInfo; obj: KubeObject }) {
  const { t } = useTranslation();
  const [rows, setRows] = useState(() => rowsOf(obj));
  const patch = portsPatch(rows);
  const saving = usePatchSave(
    k,
    obj,
    () => patch,
    t('edit.ports'),
    (saved) => setRows(rowsOf(saved)),
  );
  const withNodePort = ['NodePort', 'LoadBalancer'].includes(String(field(obj, 'spec', 'type') ?? ''));
  const set = (i: number, r: Partial<PortRow>): void => setRows(rows.map((x, j) => (j === i ? { ...x, ...r } : x)));
  return (
    <Form layout="vertical" component="div">
      <Typography.Paragraph>{t('edit.intro')}</Typography.Paragraph>
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {t('edit.ports')}
      </Typography.Title>
      {rows.length > 0 && (
        <RowHeads
          columns={[
            [t('edit.colName'), W.name],
            [t('edit.colProtocol'), W.protocol],
            [t('edit.colPort'), W.port],
            [t('edit.colTarget'), W.target],
            ...(withNodePort ? [[t('edit.colNode'), W.node] as const] : []),
          ]}
        />
      )}
      {rows.map((row, i) => {
        const n = i + 1;
        const at = `spec.ports[${i}]`;
        const testId = `port-${n}`;
        return (
          <Space key={i} align="start" wrap data-testid={`${testId}-row`}>
            <RowInput
              error={saving.error}
              field={`${at}.name`}
              testId={`${testId}-name`}
              width={W.name}
              label={t('edit.portName', { n })}
              placeholder={t('edit.colName')}
              value={row.name}
              onChange={(name) => set(i, { name })}
            />
            <Select
              aria-label={t('edit.portProtocol', { n })}
              style={{ width: W.protocol }}
              value={row.protocol}
              onChange={(protocol: string) => set(i, { protocol })}
              options={PROTOCOLS.map((p) => ({ value: p, label: p }))}
            />
            <RowInput
              numeric
              error={saving.error}
              field={`${at}.port`}
              testId={`${testId}-port`}
              width={W.port}
              label={t('edit.portNumber', { n })}
              placeholder={t('edit.colPort')}
              value={numberText(row.port)}
              onChange={(port) => set(i, { port: textNumber(port) })}
            />
            <RowInput
              error={saving.error}
              field={`${at}.targetPort`}
              testId={`${testId}-target`}
              width={W.target}
              label={t('edit.portTarget', { n })}
              placeholder={t('edit.colTarget')}
              value={row.targetPort}
              onChange={(targetPort) => set(i, { targetPort })}
            />
            {withNodePort && (
              <RowInput
                numeric
                error={saving.error}
                field={`${at}.nodePort`}
                testId={`${testId}-node`}
                width={W.node}
                label={t('edit.portNode', { n })}
                placeholder={t('edit.colNode')}
                value={numberText(row.nodePort)}
                onChange={(nodePort) => set(i, { nodePort: textNumber(nodePort) })}
              />
            )}
            <RemoveRow label={t('edit.portRemove', { n })} onClick={() => setRows(rows.filter((_, j) => j !== i))} />
          </Space>
        );
      })}
      <AddRow label={t('edit.portAdd')} testId="ports-add" onClick={() => setRows([...rows, newPortRow()])} />
      <PatchSave
        k={k}
        obj={obj}
        patch={patch}
        saving={saving}
        fields={rows.map((_, i) => `spec.ports[${i}]`)}
        testId="ports"
      />
    </Form>
  );
}
