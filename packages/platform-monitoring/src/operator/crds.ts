// The monitoring.coreos.com CRDs as Wharf serves them: the names, versions, scopes and short
// names of prometheus-operator's, with the spec kept whole (x-kubernetes-preserve-unknown-fields)
// so fields this operator does not read survive and can be reported, and a status subresource for
// the verdicts. deploy/monitoring/crds.yaml is this list as YAML (a test keeps them equal).
import { MONITORING_GROUP } from './types.js';

interface KindDef {
  readonly kind: string;
  readonly plural: string;
  readonly version: 'v1' | 'v1alpha1';
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
}

export const MONITORING_KINDS: readonly KindDef[] = [
  {
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    version: 'v1',
    shortNames: ['smon'],
    categories: ['prometheus-operator'],
  },
  {
    kind: 'PodMonitor',
    plural: 'podmonitors',
    version: 'v1',
    shortNames: ['pmon'],
    categories: ['prometheus-operator'],
  },
  {
    kind: 'PrometheusRule',
    plural: 'prometheusrules',
    version: 'v1',
    shortNames: ['promrule'],
    categories: ['prometheus-operator'],
  },
  {
    kind: 'AlertmanagerConfig',
    plural: 'alertmanagerconfigs',
    version: 'v1alpha1',
    shortNames: ['amcfg'],
    categories: ['prometheus-operator'],
  },
];

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

export const MONITORING_CRDS = MONITORING_KINDS.map((k) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: `${k.plural}.${MONITORING_GROUP}`,
    labels: { 'app.kubernetes.io/part-of': 'wharf', 'app.kubernetes.io/component': 'monitoring' },
  },
  spec: {
    group: MONITORING_GROUP,
    scope: 'Namespaced',
    names: {
      kind: k.kind,
      listKind: `${k.kind}List`,
      plural: k.plural,
      singular: k.kind.toLowerCase(),
      shortNames: [...k.shortNames],
      categories: [...k.categories],
    },
    versions: [
      {
        name: k.version,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Accepted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Accepted")].status' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: open,
              status: open,
            },
            required: ['spec'],
          },
        },
      },
    ],
  },
}));

/** Collection path of a kind across namespaces. */
export const kindPath = (k: KindDef): string => `/apis/${MONITORING_GROUP}/${k.version}/${k.plural}`;
