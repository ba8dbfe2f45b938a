import type { KubeObject, ResourceInfo } from '@wharf/api';
import { describe, expect, it } from 'vitest';
import type { PrinterColumn } from './custom.js';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const DATABASES: ResourceInfo = {
  group: 'example.com',
  version: 'v1',
  resource: 'databases',
  kind: 'Database',
  singular: 'database',
  namespaced: true,
  verbs: ['get', 'list'],
};

const db: KubeObject = {
  apiVersion: 'example.com/v1',
  kind: 'Database',
  metadata: { name: 'orders', namespace: 'shop', creationTimestamp: '2024-05-01T10:00:00Z' },
  spec: { engine: 'postgres', replicas: 2.0, ha: true, config: { b: 1, a: 2 } },
  status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T11:58:00Z' }], ratio: 0.75 },
};

const columns: PrinterColumn[] = [
  { name: 'Engine', type: 'string', jsonPath: '.spec.engine' },
  { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired replicas' },
  { name: 'HA', type: 'boolean', jsonPath: '.spec.ha', priority: 1 },
  { name: 'Ratio', type: 'number', jsonPath: '.status.ratio' },
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Since', type: 'date', jsonPath: '.status.conditions[?(@.type=="Ready")].lastTransitionTime' },
  { name: 'Config', type: 'string', jsonPath: '.spec.config' },
  { name: 'Missing', type: 'string', jsonPath: '.status.nothing' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

describe('custom resources', () => {
  it('print the CRD printer columns with their types, priorities and descriptions', () => {
    const t = toTable(DATABASES, [db], { now: NOW, printerColumns: columns });
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Engine', 'string', 0],
      ['Replicas', 'integer', 0],
      ['HA', 'boolean', 1],
      ['Ratio', 'number', 0],
      ['Ready', 'string', 0],
      ['Since', 'date', 0],
      ['Config', 'string', 0],
      ['Missing', 'string', 0],
      ['Age', 'date', 0],
    ]);
    expect(t.columnDefinitions[1]?.description).toBe(
      'Custom resource definition column (in JSONPath format): .spec.engine',
    );
    expect(t.columnDefinitions[2]?.description).toBe('Desired replicas');
    expect(t.rows[0]?.cells).toEqual([
      'orders',
      'postgres',
      2,
      true,
      0.75,
      'True',
      '2m',
      '{"a":2,"b":1}',
      null,
      '120m',
    ]);
  });

  it('show Name and Age when the CRD declares no columns', () => {
    for (const printerColumns of [[], undefined]) {
      const t = toTable(DATABASES, [db], { now: NOW, printerColumns });
      expect(t.columnDefinitions.map((c) => [c.name, c.type])).toEqual([
        ['Name', 'string'],
        ['Age', 'date'],
      ]);
      expect(t.rows[0]?.cells).toEqual(['orders', '120m']);
    }
  });

  it('print null for values of the wrong type and <invalid> for bad dates', () => {
    const cols: PrinterColumn[] = [
      { name: 'N', type: 'integer', jsonPath: '.spec.engine' },
      { name: 'D', type: 'date', jsonPath: '.spec.engine' },
    ];
    expect(toTable(DATABASES, [db], { now: NOW, printerColumns: cols }).rows[0]?.cells).toEqual([
      'orders',
      null,
      '<invalid>',
    ]);
  });

  it('fall back to Name and Created At when a JSONPath does not parse', () => {
    const t = toTable(DATABASES, [db], {
      now: NOW,
      printerColumns: [{ name: 'Bad', type: 'string', jsonPath: '.spec[' }],
    });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Created At']);
    expect(t.rows[0]?.cells).toEqual(['orders', '2024-05-01T10:00:00Z']);
  });
});
