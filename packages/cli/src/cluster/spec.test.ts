import { describe, expect, it } from 'vitest';
import { parseClusterSpec, specChanges, upArgs } from './spec.js';

const parse = (spec: string): ReturnType<typeof parseClusterSpec> =>
  parseClusterSpec(
    `apiVersion: wharf.dev/v1alpha1\nkind: Cluster\nmetadata: {name: dev}\n${spec}`,
    'dev.yaml',
    (n) => `/state/${n}/data`,
  );

describe('Cluster spec', () => {
  it('fills defaults (agents as processes) and turns into the wharf up flags', () => {
    const s = parse('spec: {nodes: 2, addons: {monitoring: false}, ports: {api: 7443}}');
    expect(s).toMatchObject({
      name: 'dev',
      version: '1.32',
      controlPlane: { members: 1, store: 'sqlite' },
      nodes: 2,
      nodeProcesses: true,
      addons: { platform: true, monitoring: false },
      dataDir: '/state/dev/data',
    });
    expect(upArgs(s)).toEqual([
      'up',
      '--data-dir',
      '/state/dev/data',
      '--nodes',
      '2',
      '--kubernetes-version',
      '1.32',
      '--api-port',
      '7443',
      '--registry-port',
      '5000',
      '--ingress-port',
      '8080',
      '--ingress-https-port',
      '8443',
      '--console-port',
      '8070',
      '--git-port',
      '8090',
      '--no-monitoring',
    ]);
    expect(upArgs(parse('spec: {nodes: 1, nodeProcesses: false}'))).toContain('--no-node-processes');
  });

  it('runs the etcd store as `wharf up --store etcd`', () => {
    const s = parse('spec: {controlPlane: {store: etcd}}');
    expect(s.controlPlane).toEqual({ members: 1, store: 'etcd' });
    expect(upArgs(s).join(' ')).toContain(' --store etcd');
  });

  it('runs a control plane of three on etcd (its default store) with --control-plane-members 3', () => {
    const s = parse('spec: {controlPlane: {members: 3}}');
    expect(s.controlPlane).toEqual({ members: 3, store: 'etcd' });
    expect(upArgs(s).join(' ')).toContain(' --store etcd --control-plane-members 3');
    expect(specChanges(parse('spec: {controlPlane: {store: etcd}}'), s)).toEqual([
      'control plane: 1 etcd → 3 etcd (refused: chosen when the cluster is made)',
    ]);
  });

  it('refuses what it cannot run, naming the field', () => {
    for (const [spec, message] of [
      ['spec: {nodez: 2}', /^dev\.yaml: spec\.nodez: unknown field \(known: version, controlPlane/],
      ['spec: {nodes: -1}', /^dev\.yaml: spec\.nodes: must be an integer from 0 to 26, got -1$/],
      ['spec: {controlPlane: {members: 2}}', /spec\.controlPlane\.members: must be 1 or 3/],
      ['spec: {controlPlane: {members: 3, store: sqlite}}', /spec\.controlPlane\.store: sqlite cannot serve 3 members/],
      ['spec: {controlPlane: {store: mysql}}', /spec\.controlPlane\.store: must be sqlite or etcd, got "mysql"/],
      [
        'spec: {version: "1.30"}',
        /spec\.version: Kubernetes version "1\.30" is not served: this Wharf serves 1\.31, 1\.32, 1\.33 \(X\.Y or X\.Y\.Z\)$/,
      ],
      ['spec: {ports: {api: 5000}}', /spec\.ports\.registry: port 5000 is also spec\.ports\.api/],
      ['spec: {dataDir: relative/dir}', /spec\.dataDir: must be an absolute path/],
    ] as const)
      expect(() => parse(spec), spec).toThrow(message);
    expect(() => parseClusterSpec('kind: Pod', 'x.yaml', () => '/x')).toThrow(
      'x.yaml: expected apiVersion wharf.dev/v1alpha1 and kind Cluster, got undefined Pod',
    );
    expect(() => parseClusterSpec('a: [', 'x.yaml', () => '/x')).toThrow(/^x\.yaml: not YAML: /);
    expect(() =>
      parseClusterSpec('apiVersion: wharf.dev/v1alpha1\nkind: Cluster\nmetadata: {name: Dev_1}', 'x.yaml', () => '/x'),
    ).toThrow('x.yaml: metadata.name: must be a DNS label of at most 40 characters');
  });

  it('lists what an update changes: nodes with their zones, add-ons, ports', () => {
    const from = parse('spec: {nodes: 1}');
    expect(specChanges(from, from)).toEqual([]);
    expect(specChanges(from, parse('spec: {nodes: 3, addons: {platform: false}, ports: {git: 9090}}'))).toEqual([
      'add node node-1 in zone b',
      'add node node-2 in zone c',
      'disable add-on platform',
      'port git: 8090 → 9090',
    ]);
    expect(specChanges(parse('spec: {nodes: 2}'), from)).toEqual([
      'remove node node-1 (zone b): cordon, drain honouring PodDisruptionBudgets, then stop it',
    ]);
  });
});
