// A CustomResourceDefinition for tests, as YAML kubectl applies: one served and stored version,
// namespaced, with the spec schema the test is about. Suites differ only in that schema (and
// sometimes printer columns or short names), so the rest of the manifest is written once here.
import { stringify } from 'yaml';

export interface CrdOptions {
  readonly group: string;
  readonly kind: string;
  /** Lower-case plural; `<kind lower-cased>s` when not given. */
  readonly plural?: string;
  readonly shortNames?: readonly string[];
  readonly version?: string;
  /** The OpenAPI v3 schema of `.spec` (an object schema). */
  readonly spec: Record<string, unknown>;
  readonly printerColumns?: readonly Record<string, unknown>[];
}

/** The CRD's name, `<plural>.<group>`, as `kubectl wait crd/<name>` wants it. */
export const crdName = (o: CrdOptions): string => `${o.plural ?? `${o.kind.toLowerCase()}s`}.${o.group}`;

export function crdManifest(o: CrdOptions): string {
  const plural = o.plural ?? `${o.kind.toLowerCase()}s`;
  return stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${o.group}` },
    spec: {
      group: o.group,
      scope: 'Namespaced',
      names: {
        plural,
        singular: o.kind.toLowerCase(),
        kind: o.kind,
        ...(o.shortNames ? { shortNames: o.shortNames } : {}),
      },
      versions: [
        {
          name: o.version ?? 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', ...o.spec } } } },
          ...(o.printerColumns ? { additionalPrinterColumns: o.printerColumns } : {}),
        },
      ],
    },
  });
}
