// The Edit tab of a Service: its ports (name, protocol, port, target port, and the node port of a
// NodePort or LoadBalancer Service), saved as one JSON patch of spec.ports (see api/servicePorts.ts).
import { Button, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KindInfo } from '../api/kinds.js';
import { newPortRow, portsPatch, toPortRows, type PortRow, type ServicePort } from '../api/servicePorts.js';
import type { KubeObject } from '../api/types.js';
import { field } from '../components/columns.js';
import { fieldStatus, PatchSave, RowHeads, usePatchSave } from '../components/PatchSave.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/** The widths of a port's inputs, shared with the column names above them. */
const W = { name: 160, protocol: 100, port: 120, target: 160, node: 120 } as const;
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
            <Form.Item style={{ marginBottom: 8 }} {...fieldStatus(saving.error, `${at}.name`, `${testId}-name`)}>
              <Input
                style={{ width: W.name }}
                aria-label={t('edit.portName', { n })}
                placeholder={t('edit.colName')}
                value={row.name}
                onChange={(e) => set(i, { name: e.target.value })}
                data-testid={`${testId}-name`}
              />
            </Form.Item>
            <Select
              aria-label={t('edit.portProtocol', { n })}
              style={{ width: W.protocol }}
              value={row.protocol}
              onChange={(protocol: string) => set(i, { protocol })}
              options={PROTOCOLS.map((p) => ({ value: p, label: p }))}
            />
            <Form.Item style={{ marginBottom: 8 }} {...fieldStatus(saving.error, `${at}.port`, `${testId}-port`)}>
              <InputNumber
                style={{ width: W.port }}
                aria-label={t('edit.portNumber', { n })}
                placeholder={t('edit.colPort')}
                value={row.port}
                onChange={(port) => set(i, { port })}
                data-testid={`${testId}-port`}
              />
            </Form.Item>
            <Form.Item
              style={{ marginBottom: 8 }}
              {...fieldStatus(saving.error, `${at}.targetPort`, `${testId}-target`)}
            >
              <Input
                style={{ width: W.target }}
                aria-label={t('edit.portTarget', { n })}
                placeholder={t('edit.colTarget')}
                value={row.targetPort}
                onChange={(e) => set(i, { targetPort: e.target.value })}
                data-testid={`${testId}-target`}
              />
            </Form.Item>
            {withNodePort && (
              <Form.Item style={{ marginBottom: 8 }} {...fieldStatus(saving.error, `${at}.nodePort`, `${testId}-node`)}>
                <InputNumber
                  style={{ width: W.node }}
                  aria-label={t('edit.portNode', { n })}
                  placeholder={t('edit.colNode')}
                  value={row.nodePort}
                  onChange={(nodePort) => set(i, { nodePort })}
                />
              </Form.Item>
            )}
            {/* As ContainerForms' Remove: "删除" as written, the first word of its name. */}
            <Button
              onClick={() => setRows(rows.filter((_, j) => j !== i))}
              aria-label={t('edit.portRemove', { n })}
              autoInsertSpace={false}
            >
              {t('edit.remove')}
            </Button>
          </Space>
        );
      })}
      <Button
        style={{ marginBottom: 12, display: 'block' }}
        onClick={() => setRows([...rows, newPortRow()])}
        data-testid="ports-add"
      >
        {t('edit.portAdd')}
      </Button>
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
