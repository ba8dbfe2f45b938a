// Manifests (the YAML of deploy/) as the create calls ensureObjects makes: each document's API
// path from its apiVersion and kind, through the built-in resource table (and the
// monitoring.coreos.com kinds this package installs), so `wharf up` deploys the same objects a
// user applies to a real cluster. Pure.
import { parseAllDocuments } from 'yaml';
import { BUILTIN_RESOURCES, parseApiVersion } from '@wharf/api';
import { MONITORING_KINDS } from '../operator/crds.js';
import { MONITORING_GROUP } from '../operator/types.js';

export type ManifestObject = { path: string; body: Record<string, unknown> };
const KINDS = [
  ...BUILTIN_RESOURCES,
  ...MONITORING_KINDS.map((k) => ({
    group: MONITORING_GROUP,
    version: k.version,
    kind: k.kind,
    resource: k.plural,
    namespaced: true,
  })),
];

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };

export function manifestObjects(yaml: string, source = 'manifest'): ManifestObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null)
    .map((d) => {
      const { group, version } = parseApiVersion(d.apiVersion ?? '');
      const r = KINDS.find((x) => x.group === group && x.version === version && x.kind === d.kind);
      if (!r) throw new Error(`${source}: ${d.apiVersion}/${d.kind} is not a built-in or monitoring kind`);
      const ns = d.metadata?.namespace;
      if (r.namespaced && !ns) throw new Error(`${source}: ${d.kind} ${d.metadata?.name} has no namespace`);
      const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
      return {
        path: `${prefix}${r.namespaced ? `/namespaces/${ns}` : ''}/${r.resource}`,
        body: d as Record<string, unknown>,
      };
    });
}
