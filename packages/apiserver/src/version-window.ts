// The Kubernetes minors this API server can serve, and what differs between them: the version
// it reports at /version and the API versions it serves, following upstream's removals
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/). The data dir remembers
// the version it last ran, so a plain restart neither upgrades nor downgrades the cluster.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceInfo } from '@wharf/api';

/** The minors served, oldest first, each with the latest patch this Wharf knows. */
export const KUBERNETES_MINORS: Readonly<Record<string, number>> = { '1.31': 13, '1.32': 9, '1.33': 5 };
/** The minor `wharf up` runs when neither a flag nor the data dir says otherwise. */
export const DEFAULT_MINOR = '1.32';

/** A group/version served only in some of the window's minors. */
export interface WindowedApi {
  readonly group: string;
  readonly version: string;
  readonly resources: readonly ResourceInfo[];
  /** The first minor that no longer serves it (upstream's "removed in"). */
  readonly removedIn: string;
  /** The first minor that deprecates it (requests get a Warning). */
  readonly deprecatedIn: string;
  /** What to use instead, for the Warning and the upgrade preflight. */
  readonly replacement: string;
}

const flowcontrol = (version: string): ResourceInfo[] => {
  const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  const group = 'flowcontrol.apiserver.k8s.io';
  return [
    {
      group,
      version,
      resource: 'flowschemas',
      kind: 'FlowSchema',
      singular: 'flowschema',
      namespaced: false,
      verbs,
      hasSpec: true,
      subresources: ['status'],
    },
    {
      group,
      version,
      resource: 'prioritylevelconfigurations',
      kind: 'PriorityLevelConfiguration',
      singular: 'prioritylevelconfiguration',
      namespaced: false,
      verbs,
      hasSpec: true,
      subresources: ['status'],
    },
  ];
};

/** Served in every minor of the window (flowcontrol v1 is GA since 1.29). */
export const WINDOW_BASE_RESOURCES: readonly ResourceInfo[] = flowcontrol('v1');

/**
 * Group/versions the window's minors disagree on. 1.32 stopped serving flowcontrol v1beta3;
 * 1.33 removed nothing (the guide lists no v1.33 removals).
 */
export const WINDOWED_APIS: readonly WindowedApi[] = [
  {
    group: 'flowcontrol.apiserver.k8s.io',
    version: 'v1beta3',
    resources: flowcontrol('v1beta3'),
    deprecatedIn: '1.29',
    removedIn: '1.32',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
];

export interface KubernetesVersion {
  readonly major: string;
  readonly minor: string;
  /** "1.32.9" */
  readonly version: string;
}

/** Compares "1.31" with "1.32" (minors only). */
export function minorIndex(minor: string): number {
  return Number(minor.split('.')[1] ?? NaN);
}

/**
 * Parses "1.32", "v1.32.4" or "1.32.4" into a version of the window; a minor alone means its
 * latest patch. Throws a one-line Error naming the window otherwise.
 */
export function parseKubernetesVersion(text: string): KubernetesVersion {
  const m = /^v?(1)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  const minor = m ? `${m[1]}.${m[2]}` : '';
  const latest = KUBERNETES_MINORS[minor];
  if (!m || latest === undefined) {
    throw new Error(
      `Kubernetes version "${text}" is not served: this Wharf serves ${Object.keys(KUBERNETES_MINORS).join(', ')} (X.Y or X.Y.Z)`,
    );
  }
  const patch = m[3] === undefined ? latest : Number(m[3]);
  return { major: '1', minor: m[2] ?? '', version: `${minor}.${patch}` };
}

/** The minor ("1.32") of a version. */
export const minorOf = (v: KubernetesVersion | string): string =>
  (typeof v === 'string' ? v : v.version).replace(/^v/, '').split('.').slice(0, 2).join('.');

/** Whether `api` is served in `minor`. */
export function servedIn(api: WindowedApi, minor: string): boolean {
  return minorIndex(minor) < minorIndex(api.removedIn);
}

/** The windowed group/versions `to` removes that `from` still served. */
export function removedBetween(from: string, to: string): WindowedApi[] {
  return WINDOWED_APIS.filter((a) => servedIn(a, minorOf(from)) && !servedIn(a, minorOf(to)));
}

/** The Warning a request to a deprecated group/version gets, as kube-apiserver words it. */
export function deprecationWarning(group: string, version: string, kind: string, minor: string): string | undefined {
  const api = WINDOWED_APIS.find((a) => a.group === group && a.version === version);
  if (!api || minorIndex(minor) < minorIndex(api.deprecatedIn)) return undefined;
  return `${group}/${version} ${kind} is deprecated in v${api.deprecatedIn}+, unavailable in v${api.removedIn}+; use ${api.replacement} ${kind}`;
}

const PIN = 'kubernetes-version';

/** The version the data dir last ran, if it says. */
export function pinnedVersion(dataDir: string): KubernetesVersion | undefined {
  const file = join(dataDir, PIN);
  if (!existsSync(file)) return undefined;
  return parseKubernetesVersion(readFileSync(file, 'utf8'));
}

/**
 * The version an API server on `dataDir` runs: the one asked for, else the pinned one, else the
 * default. Asking for an older minor than the data dir ran, or skipping a minor, is refused:
 * stored objects may use APIs the older minor does not know (downgrades go through a backup).
 */
export function chooseKubernetesVersion(dataDir: string, requested: string | undefined): KubernetesVersion {
  const pinned = pinnedVersion(dataDir);
  const want = requested ? parseKubernetesVersion(requested) : (pinned ?? parseKubernetesVersion(DEFAULT_MINOR));
  if (pinned && requested) {
    const step = minorIndex(minorOf(want)) - minorIndex(minorOf(pinned));
    if (step < 0)
      throw new Error(
        `${dataDir} runs Kubernetes ${pinned.version}: going back to ${want.version} is a downgrade (restore a backup taken before the upgrade instead)`,
      );
    if (step > 1)
      throw new Error(
        `${dataDir} runs Kubernetes ${pinned.version}: ${want.version} skips a minor; upgrade one minor at a time (${minorPath(minorOf(pinned), minorOf(want)).join(' -> ')})`,
      );
  }
  return want;
}

/** Records the version a data dir runs (after the API server started on it). */
export function pinKubernetesVersion(dataDir: string, v: KubernetesVersion): void {
  writeFileSync(join(dataDir, PIN), `${v.version}\n`);
}

/** Every minor from `from` to `to`, both included: the path an upgrade must take. */
export function minorPath(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = minorIndex(from); i <= minorIndex(to); i++) out.push(`1.${i}`);
  return out;
}
