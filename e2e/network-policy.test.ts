// NetworkPolicy in the node dataplane, end to end: `wharf up --nodes 2` runs 3 namespaces × 3
// pods (spread over both nodes), each echoing on TCP 80, TCP 81 and UDP 53 with socat. For each set of policies the
// reachability matrix measured from inside every
// pod's network namespace equals the matrix this file computes from the policies by the API's
// rules (expectedMatrix below, written from the API documentation, not from the implementation).
// An established connection survives a policy that refuses new ones, and `wharf reset` leaves no
// chain. Traffic stays in the pods' network namespaces on this machine. Needs root, runc, the CNI
// plugins and iptables.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyPrefix } from '@wharf/node';
import { eventually, Kubectl, REPO_ROOT, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const PROBE = path.join(REPO_ROOT, 'e2e/fixtures/netpol/probe.mjs');
const NAMESPACES = ['x', 'y', 'z'] as const;
const PODS = ['a', 'b', 'c'] as const;

interface Port {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly name: string;
}
const PORTS: readonly Port[] = [
  { port: 80, protocol: 'TCP', name: 'serve-80-tcp' },
  { port: 81, protocol: 'TCP', name: 'serve-81-tcp' },
  { port: 53, protocol: 'UDP', name: 'serve-53-udp' },
];

interface TestPod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  ip: string;
  netns: string;
}

const namespaceManifest = NAMESPACES.map(
  (n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: "${n}", labels: {ns: "${n}"}}\n`,
).join('---\n');

/**
 * socat echoes on each port with PIPE (in its own child: no `cat` to exec, cheap on a loaded
 * machine); UDP answers every datagram from a child that `-T1` ends after a second (UDP has no end:
 * without it children pile up). Not EXEC:cat for UDP: a RECVFROM child reaches EOF after its one
 * datagram and then gives the program socat's `-t` (0.5 s) to answer, which a fork+exec of `cat`
 * misses at load averages of 20 and more: the reply was dropped, the probe timed out 4 rounds in a
 * row and the matrix failed as "no answer at all" (only UDP, more often with more processes).
 */
const podManifest = (ns: string, name: string, node: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: "${name}", namespace: "${ns}", labels: {pod: "${name}"}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: serve
    image: netpol:1
    command: ["sh", "-c", "socat TCP4-LISTEN:80,fork,reuseaddr PIPE & socat TCP4-LISTEN:81,fork,reuseaddr PIPE & socat -T1 UDP4-RECVFROM:53,fork PIPE & wait"]
    ports:
${PORTS.map((p) => `    - {name: ${p.name}, containerPort: ${p.port}, protocol: ${p.protocol}}`).join('\n')}
    readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 1}
`;

// ---- The API's semantics, written out independently of the dataplane's code ----

type Selector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
  from?: Peer[];
  to?: Peer[];
}
interface Policy {
  metadata: { name: string; namespace: string };
  spec: { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] };
}

function labelsMatch(sel: Selector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (sel.matchExpressions ?? []).every((e) => {
    const has = e.key in labels;
    if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key]!);
    if (e.operator === 'Exists') return has;
    return !has;
  });
}

const PROJECT_LABEL = 'platform.wharf.dev/project';
/** Labels the test's namespaces carry beyond their own (a Project's label once it adopts them). */
const extraNsLabels = new Map<string, Record<string, string>>();
const nsLabels = (ns: string): Record<string, string> => ({
  ns,
  'kubernetes.io/metadata.name': ns,
  ...extraNsLabels.get(ns),
});

function ipInCidr(ip: string, cidr: string): boolean {
  const num = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(num(ip) / size) === Math.floor(num(base) / size);
}

function peerMatches(peer: Peer, policyNs: string, other: TestPod): boolean {
  if (peer.ipBlock)
    return ipInCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => ipInCidr(other.ip, e));
  const nsOk = peer.namespaceSelector
    ? labelsMatch(peer.namespaceSelector, nsLabels(other.namespace))
    : other.namespace === policyNs;
  return nsOk && labelsMatch(peer.podSelector ?? {}, other.labels);
}

/** A policy port matches when protocol agrees and the number (or the receiver's named port) does. */
function portMatches(ports: Rule['ports'], port: Port): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== port.protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return p.port === port.name; // every test pod declares the same names
    return port.port >= p.port && port.port <= (p.endPort ?? p.port);
  });
}

function types(p: Policy): string[] {
  return p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress?.length ? ['Egress'] : [])];
}

/** Whether `dir` traffic of `self` with `other` is allowed: unisolated, or some selecting policy's rule allows it. */
function allowedOneSide(
  policies: Policy[],
  dir: 'Ingress' | 'Egress',
  self: TestPod,
  other: TestPod,
  port: Port,
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.metadata.namespace === self.namespace && labelsMatch(p.spec.podSelector, self.labels) && types(p).includes(dir),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    ((dir === 'Ingress' ? p.spec.ingress : p.spec.egress) ?? []).some((r) => {
      const peers = dir === 'Ingress' ? r.from : r.to;
      const peerOk =
        !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, p.metadata.namespace, other));
      return peerOk && portMatches(r.ports, port);
    }),
  );
}

/** `from→to:port/proto` keys of the connections that must succeed (a pod always reaches itself). */
function expectedMatrix(policies: Policy[], pods: readonly TestPod[]): string[] {
  const out: string[] = [];
  for (const from of pods)
    for (const to of pods)
      for (const port of PORTS) {
        const ok =
          from === to ||
          (allowedOneSide(policies, 'Egress', from, to, port) && allowedOneSide(policies, 'Ingress', to, from, port));
        if (ok) out.push(key(from, to, port));
      }
  return out.sort();
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const key = (from: TestPod, to: TestPod, port: Port): string =>
  `${from.namespace}/${from.name}→${to.namespace}/${to.name}:${port.port}/${port.protocol}`;

// ---- The scenarios ----

const pol = (namespace: string, name: string, spec: Policy['spec']): Policy => ({
  metadata: { namespace, name },
  spec,
});

function scenarios(pods: readonly TestPod[]): { name: string; policies: Policy[] }[] {
  const xa = pods.find((p) => p.namespace === 'x' && p.name === 'a')!;
  const denyX = pol('x', 'deny', { podSelector: {}, policyTypes: ['Ingress'] });
  return [
    { name: 'no policy', policies: [] },
    { name: 'default deny ingress', policies: [denyX] },
    {
      name: 'allow same namespace',
      policies: [pol('x', 'same-ns', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
    },
    {
      name: 'allow from a namespace by label (union with default deny)',
      policies: [
        denyX,
        pol('x', 'from-y', {
          podSelector: { matchLabels: { pod: 'a' } },
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }],
        }),
      ],
    },
    {
      name: 'allow by pod label across namespaces, TCP 80 only',
      policies: [
        pol('x', 'from-b', {
          podSelector: {},
          ingress: [
            { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] },
          ],
        }),
      ],
    },
    {
      name: 'egress deny with DNS allowed',
      policies: [
        pol('y', 'egress-dns', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [
            {
              ports: [
                { port: 53, protocol: 'UDP' },
                { port: 53, protocol: 'TCP' },
              ],
            },
          ],
        }),
      ],
    },
    {
      name: 'ipBlock with except (ingress) and an egress port range',
      policies: [
        pol('z', 'block', {
          podSelector: {},
          ingress: [
            {
              from: [
                { ipBlock: { cidr: `${xa.ip.split('.').slice(0, 2).join('.')}.0.0/16`, except: [`${xa.ip}/32`] } },
              ],
            },
          ],
        }),
        pol('z', 'range', {
          podSelector: { matchLabels: { pod: 'c' } },
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 79, endPort: 80 }] }],
        }),
      ],
    },
    {
      name: 'named port',
      policies: [
        pol('y', 'named', {
          podSelector: { matchLabels: { pod: 'c' } },
          ingress: [{ ports: [{ port: 'serve-81-tcp' }, { port: 'serve-53-udp', protocol: 'UDP' }] }],
        }),
      ],
    },
  ];
}

const asList = (policies: Policy[]): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: policies.map((p) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', ...p })),
  });

describe.skipIf(skip !== '')(`NetworkPolicy in the node dataplane ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const pods: TestPod[] = [];
  const children: ChildProcess[] = [];

  type Cell = { from: TestPod; to: TestPod; port: Port };
  const allCells = (): Cell[] =>
    pods.flatMap((from) => pods.flatMap((to) => PORTS.map((port) => ({ from, to, port }))));

  /** Probes cells from inside their source pods' namespaces: "open", "refused" or "timeout" by key. */
  async function probe(cells: readonly Cell[]): Promise<Map<string, string>> {
    const bySource = [...new Set(cells.map((c) => c.from))].map((from) => ({
      from,
      cells: cells.filter((c) => c.from === from),
    }));
    const out = new Map<string, string>();
    // Three source pods at a time: hundreds of connections at once overload a small machine into timeouts.
    await mapLimit(bySource, 3, async ({ from, cells: mine }) => {
      const targets = mine.map((c) => ({ ip: c.to.ip, port: c.port.port, protocol: c.port.protocol }));
      const { stdout } = await run(
        'ip',
        ['netns', 'exec', from.netns, process.execPath, PROBE, JSON.stringify(targets)],
        { timeout: 30_000 },
      );
      (JSON.parse(stdout) as string[]).forEach((state, i) =>
        out.set(key(mine[i]!.from, mine[i]!.to, mine[i]!.port), state),
      );
    });
    return out;
  }

  /** The open cells of the matrix; a timed-out probe (a loaded machine, not a policy) is asked again. */
  async function measure(): Promise<string[]> {
    let cells = allCells();
    const states = new Map<string, string>();
    for (let round = 0; round < 4 && cells.length > 0; round++) {
      for (const [k, v] of await probe(cells)) states.set(k, v);
      cells = cells.filter((c) => states.get(key(c.from, c.to, c.port)) === 'timeout');
    }
    if (cells.length)
      throw new Error(
        `no answer at all from ${cells.length} probes: ${cells
          .slice(0, 12)
          .map((c) => key(c.from, c.to, c.port))
          .join(', ')}`,
      );
    return [...states]
      .filter(([, v]) => v === 'open')
      .map(([k]) => k)
      .sort();
  }

  async function setPolicies(policies: Policy[]): Promise<void> {
    for (const n of NAMESPACES) await k.ok(['delete', 'networkpolicy', '--all', '-n', n, '--wait=false']);
    if (policies.length) await k.ok(['apply', '-f', '-'], { stdin: asList(policies) });
  }

  beforeAll(async () => {
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '2'] });
    k = new Kubectl(wharf.kubeconfig);
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'netpol:1',
        '--debian-packages',
        'busybox-static,socat',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 300_000 },
    );
    await k.ok(['apply', '-f', '-'], { stdin: namespaceManifest });
    let i = 0;
    const manifests = NAMESPACES.flatMap((ns) => PODS.map((name) => podManifest(ns, name, `node-${i++ % 2}`)));
    await k.ok(['apply', '-f', '-'], { stdin: manifests.join('---\n') });
    for (const ns of NAMESPACES)
      await k.ok(['wait', '--for=condition=Ready', 'pod', '--all', '-n', ns, '--timeout=120s'], { timeoutMs: 130_000 });
    for (const ns of NAMESPACES) {
      const out = await k.ok([
        'get',
        'pods',
        '-n',
        ns,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.metadata.uid}{"\\n"}{end}',
      ]);
      for (const line of out.trim().split('\n')) {
        const [name = '', ip = '', uid = ''] = line.split(' ');
        pods.push({
          namespace: ns,
          name,
          labels: { pod: name },
          ip,
          netns: `wharf-${uid.replace(/-/g, '').slice(0, 16)}`,
        });
      }
    }
  }, 480_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  }, 120_000);

  it('runs 9 pods over both nodes', () => {
    expect(pods).toHaveLength(9);
    expect(new Set(pods.map((p) => p.ip)).size).toBe(9);
  });

  it('measures the reachability matrix the API semantics define, for each set of policies', async () => {
    const results: string[] = [];
    for (const s of scenarios(pods)) {
      await setPolicies(s.policies);
      results.push(await matches(s));
    }
    console.log(results.join('\n'));
  }, 900_000);

  it('keeps other projects out of a project with networkIsolation DenyFromOtherProjects', async () => {
    await setPolicies([]);
    const project = (name: string, ns: string, isolate: boolean): string =>
      JSON.stringify({
        apiVersion: 'platform.wharf.dev/v1alpha1',
        kind: 'Project',
        metadata: { name },
        spec: { namespaces: [ns], ...(isolate ? { networkIsolation: 'DenyFromOtherProjects' } : {}) },
      });
    await k.ok(['apply', '-f', '-'], { stdin: project('team-x', 'x', true) });
    await k.ok(['apply', '-f', '-'], { stdin: project('team-y', 'y', false) });
    await eventually(
      async () => (await k.run(['get', 'networkpolicy', 'project-isolation', '-n', 'x'])).code === 0,
      30_000,
      'the project-isolation policy',
    );
    await eventually(
      async () =>
        (await k.ok(['get', 'ns', 'y', '-o', `jsonpath={.metadata.labels.platform\\.wharf\\.dev/project}`])).trim() ===
        'team-y',
      30_000,
      'namespace y labelled',
    );
    const installed = JSON.parse(
      await k.ok(['get', 'networkpolicy', 'project-isolation', '-n', 'x', '-o', 'json']),
    ) as Policy;
    extraNsLabels.set('x', { [PROJECT_LABEL]: 'team-x' });
    extraNsLabels.set('y', { [PROJECT_LABEL]: 'team-y' });
    try {
      const policy = pol('x', 'project-isolation', installed.spec);
      // From y (another project) refused; from x itself and from z (no project) allowed.
      const want = expectedMatrix([policy], pods);
      expect(want.filter((c) => c.startsWith('y/') && c.includes('→x/'))).toEqual([]);
      expect(want.filter((c) => c.startsWith('z/') && c.includes('→x/'))).toHaveLength(27);
      console.log(await matches({ name: 'project isolation', policies: [policy] }));
    } finally {
      extraNsLabels.clear();
      await k.ok(['delete', 'project', 'team-x', 'team-y']);
      await k.run(['delete', 'networkpolicy', '--all', '-n', 'x']);
    }
  }, 300_000);

  /** Waits for the measured matrix to equal the expected one; says which connections differ if not. */
  async function matches(s: { name: string; policies: Policy[] }): Promise<string> {
    const want = expectedMatrix(s.policies, pods);
    const applied = Date.now();
    let got: string[] = [];
    try {
      await eventually(
        async () => {
          got = await measure();
          return JSON.stringify(got) === JSON.stringify(want);
        },
        60_000,
        s.name,
      );
    } catch (e) {
      // Say which connections differ, not just that the matrices do.
      const diff = {
        scenario: s.name,
        unexpectedlyOpen: got.filter((x) => !want.includes(x)),
        unexpectedlyClosed: want.filter((x) => !got.includes(x)),
      };
      expect(diff, String(e)).toEqual({ scenario: s.name, unexpectedlyOpen: [], unexpectedlyClosed: [] });
      throw e;
    }
    // Each scenario must close something, or the matrix proves nothing about it.
    if (s.policies.length) expect(want.length, s.name).toBeLessThan(pods.length * pods.length * PORTS.length);
    return `${s.name}: ${want.length}/${pods.length * pods.length * PORTS.length} open, matched ${Date.now() - applied} ms after apply`;
  }

  it('keeps an established TCP connection across a policy that refuses new ones', async () => {
    await setPolicies([]);
    const from = pods.find((p) => p.namespace === 'x' && p.name === 'a')!;
    const to = pods.find((p) => p.namespace === 'y' && p.name === 'b')!;
    const hold = spawn('ip', ['netns', 'exec', from.netns, process.execPath, PROBE, 'hold', to.ip, '81'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(hold);
    const lines: string[] = [];
    readline.createInterface({ input: hold.stdout! }).on('line', (l) => lines.push(l));
    await eventually(() => lines.includes('connected'), 10_000, 'the connection');
    hold.stdin!.write('before\n');
    await eventually(() => lines.includes('before'), 5_000, 'the echo before the policy');
    await setPolicies([pol('y', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })]);
    // New connections are refused within a second or so of the apply...
    const start = Date.now();
    await eventually(
      async () => (await probe([{ from, to, port: PORTS[1]! }])).get(key(from, to, PORTS[1]!)) === 'refused',
      20_000,
      'new connections refused',
    );
    console.log(
      `deny-all enforced (a new connection refused) ${Date.now() - start} ms after kubectl apply returned (probes included)`,
    );
    // ...while the established one still carries data both ways.
    hold.stdin!.write('after\n');
    await eventually(() => lines.includes('after'), 5_000, 'the echo after the policy');
    expect(lines).not.toContain('closed');
    hold.kill('SIGKILL');
    await setPolicies([]);
  }, 120_000);

  it('leaves no policy chain after wharf reset', async () => {
    const prefixes = ['node-0', 'node-1'].map((n) => policyPrefix(wharf.dataDir, n));
    expect(execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' })).toContain(`:${prefixes[0]}-FWD`);
    await wharf.stop();
    execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    const after = execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' });
    for (const p of prefixes) expect(after).not.toContain(p);
  }, 60_000);
});
