// A Cluster spec file (`wharf cluster create|update -f FILE`), as kops takes one: what the cluster
// should be. Pure: parsing with field paths in every error, defaults, the `wharf up` flags it
// means, and the differences between two specs that `update` previews.
import { parse } from 'yaml';
import { DEFAULT_MINOR, parseKubernetesVersion } from '@wharf/apiserver';
import { CliError } from '../kube/errors.js';

export const CLUSTER_API_VERSION = 'wharf.dev/v1alpha1';

export interface Addons {
  /** The platform layer: Applications, ConfigSets, pipelines, the git server. */
  readonly platform: boolean;
  /** Prometheus, Alertmanager and the monitoring operator. */
  readonly monitoring: boolean;
}

export interface Ports {
  readonly api: number;
  readonly registry: number;
  readonly ingress: number;
  readonly ingressHttps: number;
  readonly console: number;
  readonly git: number;
}

export interface ClusterSpec {
  readonly name: string;
  readonly version: string;
  readonly controlPlane: { readonly members: number; readonly store: 'sqlite' | 'etcd' };
  /** Node agents on this machine; their zones are a, b, c, … in turn. */
  readonly nodes: number;
  /**
   * Each node's agent as a `wharf agent` process of its own (`wharf up --node-processes`), upgraded node by node.
   * @default true
   */
  readonly nodeProcesses: boolean;
  readonly addons: Addons;
  readonly ports: Ports;
  /** Absolute; defaults to the cluster's directory in the state store. */
  readonly dataDir: string;
}

const DEFAULT_PORTS: Ports = { api: 6443, registry: 5000, ingress: 8080, ingressHttps: 8443, console: 8070, git: 8090 };
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(file: string, field: string, why: string): CliError {
  return new CliError(`${file}: ${field}: ${why}`);
}

function int(file: string, field: string, v: unknown, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw bad(file, field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function bool(file: string, field: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw bad(file, field, `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** Refuses fields the spec does not know, so a typo is not silently a default. */
function known(file: string, at: string, o: Obj, fields: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!fields.includes(k)) throw bad(file, `${at}${k}`, `unknown field (known: ${fields.join(', ')})`);
}

/** Parses a Cluster spec (YAML or JSON text); `defaultDataDir(name)` gives the data dir when unset. */
export function parseClusterSpec(text: string, file: string, defaultDataDir: (name: string) => string): ClusterSpec {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new CliError(`${file}: not YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new CliError(`${file}: expected a Cluster object`);
  if (doc.apiVersion !== CLUSTER_API_VERSION || doc.kind !== 'Cluster')
    throw new CliError(
      `${file}: expected apiVersion ${CLUSTER_API_VERSION} and kind Cluster, got ${String(doc.apiVersion)} ${String(doc.kind)}`,
    );
  known(file, '', doc, ['apiVersion', 'kind', 'metadata', 'spec']);
  const meta = isObj(doc.metadata) ? doc.metadata : {};
  const name = meta.name;
  if (typeof name !== 'string' || !NAME.test(name) || name.length > 40)
    throw bad(file, 'metadata.name', 'must be a DNS label of at most 40 characters');
  const spec = doc.spec === undefined ? {} : doc.spec;
  if (!isObj(spec)) throw bad(file, 'spec', 'must be an object');
  known(file, 'spec.', spec, ['version', 'controlPlane', 'nodes', 'nodeProcesses', 'addons', 'ports', 'dataDir']);

  const version = spec.version === undefined ? DEFAULT_MINOR : String(spec.version).replace(/^v/, '');
  try {
    parseKubernetesVersion(version);
  } catch (e) {
    throw bad(file, 'spec.version', (e as Error).message);
  }

  const cp = spec.controlPlane === undefined ? {} : spec.controlPlane;
  if (!isObj(cp)) throw bad(file, 'spec.controlPlane', 'must be an object');
  known(file, 'spec.controlPlane.', cp, ['members', 'store']);
  const members = int(file, 'spec.controlPlane.members', cp.members, 1, 3, 1);
  if (members === 2)
    throw bad(file, 'spec.controlPlane.members', 'must be 1 or 3 (two members cannot keep a quorum after losing one)');
  // Three API servers share one store, which only etcd is: it is their default, and SQLite is refused.
  const store = cp.store ?? (members === 3 ? 'etcd' : 'sqlite');
  if (store !== 'sqlite' && store !== 'etcd')
    throw bad(file, 'spec.controlPlane.store', `must be sqlite or etcd, got ${JSON.stringify(store)}`);
  if (members === 3 && store === 'sqlite')
    throw bad(
      file,
      'spec.controlPlane.store',
      'sqlite cannot serve 3 members (SQLite is a file of one process): use etcd, or members: 1',
    );

  const nodes = int(file, 'spec.nodes', spec.nodes, 0, 26, 1);

  const addons = spec.addons === undefined ? {} : spec.addons;
  if (!isObj(addons)) throw bad(file, 'spec.addons', 'must be an object');
  known(file, 'spec.addons.', addons, ['platform', 'monitoring']);

  const ports = spec.ports === undefined ? {} : spec.ports;
  if (!isObj(ports)) throw bad(file, 'spec.ports', 'must be an object');
  known(file, 'spec.ports.', ports, Object.keys(DEFAULT_PORTS));
  const port = (k: keyof Ports): number => int(file, `spec.ports.${k}`, ports[k], 1, 65535, DEFAULT_PORTS[k]);
  const p: Ports = {
    api: port('api'),
    registry: port('registry'),
    ingress: port('ingress'),
    ingressHttps: port('ingressHttps'),
    console: port('console'),
    git: port('git'),
  };
  const used = new Map<number, string>();
  for (const [k, v] of Object.entries(p)) {
    const other = used.get(v);
    if (other) throw bad(file, `spec.ports.${k}`, `port ${v} is also spec.ports.${other}`);
    used.set(v, k);
  }

  let dataDir = defaultDataDir(name);
  if (spec.dataDir !== undefined) {
    if (typeof spec.dataDir !== 'string' || !spec.dataDir.startsWith('/'))
      throw bad(file, 'spec.dataDir', 'must be an absolute path');
    dataDir = spec.dataDir;
  }
  return {
    name,
    version,
    controlPlane: { members, store },
    nodes,
    nodeProcesses: bool(file, 'spec.nodeProcesses', spec.nodeProcesses, true),
    addons: {
      platform: bool(file, 'spec.addons.platform', addons.platform, true),
      monitoring: bool(file, 'spec.addons.monitoring', addons.monitoring, true),
    },
    ports: p,
    dataDir,
  };
}

/** The `wharf up` arguments that run the spec. */
export function upArgs(s: ClusterSpec): string[] {
  return [
    'up',
    '--data-dir',
    s.dataDir,
    '--nodes',
    String(s.nodes),
    '--kubernetes-version',
    s.version,
    '--api-port',
    String(s.ports.api),
    '--registry-port',
    String(s.ports.registry),
    '--ingress-port',
    String(s.ports.ingress),
    '--ingress-https-port',
    String(s.ports.ingressHttps),
    '--console-port',
    String(s.ports.console),
    '--git-port',
    String(s.ports.git),
    // An etcd store is a member `wharf up` runs itself, in the cluster's data dir (three with three API servers).
    ...(s.controlPlane.store === 'etcd' ? ['--store', 'etcd'] : []),
    ...(s.controlPlane.members === 3 ? ['--control-plane-members', '3'] : []),
    ...(s.nodeProcesses ? [] : ['--no-node-processes']),
    ...(s.addons.platform ? [] : ['--no-platform']),
    ...(s.addons.monitoring ? [] : ['--no-monitoring']),
  ];
}

const zoneOf = (i: number): string => String.fromCharCode(97 + (i % 26));

/** The nodes of a spec with their zones, as `wharf up` names them. */
export function nodesOf(s: ClusterSpec): { name: string; zone: string }[] {
  return Array.from({ length: s.nodes }, (_, i) => ({ name: `node-${i}`, zone: zoneOf(i) }));
}

/** What `update` would change, one line each; empty when the specs agree. */
export function specChanges(from: ClusterSpec, to: ClusterSpec): string[] {
  const out: string[] = [];
  if (from.dataDir !== to.dataDir)
    out.push(`data dir: ${from.dataDir} → ${to.dataDir} (refused: move the data dir by hand)`);
  const have = new Set(nodesOf(from).map((n) => n.name));
  const want = new Set(nodesOf(to).map((n) => n.name));
  if (from.controlPlane.members !== to.controlPlane.members || from.controlPlane.store !== to.controlPlane.store)
    out.push(
      `control plane: ${from.controlPlane.members} ${from.controlPlane.store} → ${to.controlPlane.members} ${to.controlPlane.store} (refused: chosen when the cluster is made)`,
    );
  for (const n of nodesOf(to)) if (!have.has(n.name)) out.push(`add node ${n.name} in zone ${n.zone}`);
  for (const n of nodesOf(from))
    if (!want.has(n.name))
      out.push(`remove node ${n.name} (zone ${n.zone}): cordon, drain honouring PodDisruptionBudgets, then stop it`);
  for (const k of ['platform', 'monitoring'] as const) {
    if (from.addons[k] !== to.addons[k]) out.push(`${to.addons[k] ? 'enable' : 'disable'} add-on ${k}`);
  }
  if (from.nodeProcesses !== to.nodeProcesses)
    out.push(
      `node agents: ${to.nodeProcesses ? 'processes of their own' : 'inside wharf up'} (containers keep running)`,
    );
  for (const k of Object.keys(from.ports) as (keyof Ports)[]) {
    if (from.ports[k] !== to.ports[k]) out.push(`port ${k}: ${from.ports[k]} → ${to.ports[k]}`);
  }
  if (from.version !== to.version) out.push(`version ${from.version} → ${to.version} (use wharf cluster upgrade)`);
  return out;
}
