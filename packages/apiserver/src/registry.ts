// What the API server serves right now: the built-in resources plus the custom resources of every
// established CustomResourceDefinition. Discovery, OpenAPI and the REST handler all read this.
import {
  BUILTIN_RESOURCES,
  VERSION_ALIASES,
  isRecord,
  typeNameOf,
  type KubeObject,
  type ResourceInfo,
} from '@wharf/api';
import { DEFAULT_MINOR, WINDOW_BASE_RESOURCES, WINDOWED_APIS, servedIn } from './version-window.js';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** How a custom resource version is served, from its CRD. */
export interface CustomResourceVersion {
  readonly schema: Record<string, unknown> | undefined;
  readonly printerColumns: PrinterColumn[];
  readonly status: boolean;
  readonly scale: ScaleSubresource | undefined;
  /** The CRD keeps unknown fields at the root (x-kubernetes-preserve-unknown-fields). */
  readonly preserveUnknown: boolean;
  /** The version objects are stored in (the CRD's `storage: true` version). */
  readonly storageVersion: string;
}

/** One group/version/resource as served. */
export interface Served {
  readonly info: ResourceInfo;
  /** Generated schema type of built-in kinds. */
  readonly typeName: string | undefined;
  /** Set for custom resources. */
  readonly custom: CustomResourceVersion | undefined;
}

function gvr(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

export class ResourceRegistry {
  private readonly served = new Map<string, Served>();
  private readonly crdResources = new Map<string, string[]>();
  private readonly aggregatedResources = new Map<string, string[]>();
  /** Called after the set of served resources changes. */
  onChange: () => void = () => undefined;

  /** `minor`: the Kubernetes minor whose API versions are served (version-window.ts). */
  constructor(readonly minor: string = DEFAULT_MINOR) {
    for (const info of BUILTIN_RESOURCES) this.add(info, typeNameOf(info.group, info.version, info.kind), undefined);
    for (const info of WINDOW_BASE_RESOURCES) this.add(info, undefined, undefined);
    // A version the minor no longer serves is simply absent: its requests get upstream's 404.
    for (const api of WINDOWED_APIS.filter((a) => servedIn(a, minor)))
      for (const info of api.resources) this.add(info, undefined, undefined);
    for (const alias of VERSION_ALIASES) {
      for (const resource of alias.resources) {
        const base = BUILTIN_RESOURCES.find((r) => r.group === alias.group && r.resource === resource);
        if (base)
          this.add(
            { ...base, version: alias.version },
            typeNameOf(base.group, alias.version, base.kind) ?? typeNameOf(base.group, base.version, base.kind),
            undefined,
          );
      }
    }
  }

  private add(info: ResourceInfo, typeName: string | undefined, custom: CustomResourceVersion | undefined): void {
    this.served.set(gvr(info.group, info.version, info.resource), { info, typeName, custom });
  }

  lookup(group: string, version: string, resource: string): Served | undefined {
    return this.served.get(gvr(group, version, resource));
  }

  /** Any served version of a group/resource (for storage-level work such as garbage collection). */
  anyVersion(group: string, resource: string): Served | undefined {
    for (const s of this.served.values()) if (s.info.group === group && s.info.resource === resource) return s;
    return undefined;
  }

  byKind(group: string, version: string, kind: string): Served | undefined {
    for (const s of this.served.values()) {
      if (s.info.group === group && s.info.version === version && s.info.kind === kind) return s;
    }
    return undefined;
  }

  all(): Served[] {
    return [...this.served.values()];
  }

  /** Group → versions in preference order (the first is preferred). */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const s of this.served.values()) {
      const versions = out.get(s.info.group) ?? [];
      if (!versions.includes(s.info.version)) versions.push(s.info.version);
      out.set(s.info.group, versions);
    }
    for (const versions of out.values()) versions.sort(compareVersions);
    return out;
  }

  /**
   * Lists in discovery (or, with undefined, stops listing) the resources an aggregated API server
   * serves for group/version. A group/version served here already keeps its own entries.
   */
  syncAggregated(group: string, version: string, resources: readonly ResourceInfo[] | undefined): void {
    const gv = `${group}/${version}`;
    const before = JSON.stringify(this.aggregatedResources.get(gv) ?? []);
    for (const key of this.aggregatedResources.get(gv) ?? []) this.served.delete(key);
    this.aggregatedResources.delete(gv);
    const local = this.all().some((s) => s.info.group === group && s.info.version === version);
    if (resources && !local) {
      for (const info of resources)
        this.add({ ...info, group, version, remote: true, virtual: true }, undefined, undefined);
      this.aggregatedResources.set(
        gv,
        resources.map((r) => gvr(group, version, r.resource)),
      );
    }
    if (JSON.stringify(this.aggregatedResources.get(gv) ?? []) !== before) this.onChange();
  }

  /** Serves (or stops serving) the resources of a CRD according to its current spec. */
  syncCrd(crd: KubeObject, established: boolean): void {
    const name = crd.metadata?.name ?? '';
    for (const key of this.crdResources.get(name) ?? []) this.served.delete(key);
    this.crdResources.delete(name);
    if (established && !crd.metadata?.deletionTimestamp) {
      const keys: string[] = [];
      for (const [info, custom] of crdVersions(crd)) {
        this.add(info, undefined, custom);
        keys.push(gvr(info.group, info.version, info.resource));
      }
      this.crdResources.set(name, keys);
    }
    this.onChange();
  }
}

/** Kubernetes version priority: GA > beta > alpha, then higher numbers first (v2 > v1 > v1beta2). */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stage = m[2] === 'alpha' ? 2 : m[2] === 'beta' ? 1 : 0;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < 3; i++) if ((ra[i] ?? 0) !== (rb[i] ?? 0)) return (ra[i] ?? 0) - (rb[i] ?? 0);
  return a.localeCompare(b);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** The served versions of a CRD with their schemas and subresources. */
export function crdVersions(crd: KubeObject): [ResourceInfo, CustomResourceVersion][] {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const group = str(spec.group);
  const kind = str(names.kind);
  const out: [ResourceInfo, CustomResourceVersion][] = [];
  const storageVersion = (Array.isArray(spec.versions) ? spec.versions : [])
    .filter(isRecord)
    .find((v) => v.storage === true)?.name;
  for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
    if (!isRecord(v) || v.served === false) continue;
    const sub = isRecord(v.subresources) ? v.subresources : {};
    const schemaHolder = isRecord(v.schema) ? v.schema : {};
    const schema = isRecord(schemaHolder.openAPIV3Schema) ? schemaHolder.openAPIV3Schema : undefined;
    const subresources: string[] = [];
    if (sub.status !== undefined) subresources.push('status');
    if (sub.scale !== undefined) subresources.push('scale');
    const shortNames = strings(names.shortNames);
    const categories = strings(names.categories);
    const info: ResourceInfo = {
      group,
      version: str(v.name),
      resource: str(names.plural),
      kind,
      singular: str(names.singular) || kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      hasSpec: true,
      ...(shortNames ? { shortNames } : {}),
      ...(categories ? { categories } : {}),
      ...(subresources.length ? { subresources } : {}),
    };
    const scale = isRecord(sub.scale)
      ? {
          specReplicasPath: str(sub.scale.specReplicasPath),
          statusReplicasPath: str(sub.scale.statusReplicasPath),
          labelSelectorPath: str(sub.scale.labelSelectorPath) || undefined,
        }
      : undefined;
    const cols = Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns.filter(isRecord) : [];
    out.push([
      info,
      {
        schema,
        printerColumns: cols.map((c) => ({
          name: str(c.name),
          type: str(c.type),
          jsonPath: str(c.jsonPath),
          ...(c.format ? { format: str(c.format) } : {}),
          ...(c.description ? { description: str(c.description) } : {}),
          ...(typeof c.priority === 'number' ? { priority: c.priority } : {}),
        })),
        status: sub.status !== undefined,
        scale: scale as ScaleSubresource | undefined,
        preserveUnknown: schema?.['x-kubernetes-preserve-unknown-fields'] === true,
        storageVersion: str(storageVersion) || str(v.name),
      },
    ]);
  }
  return out;
}
