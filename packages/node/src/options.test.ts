// The node components' option resolvers: defaults applied once, undefined meaning "the default".
import { cpus } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { resolveNodeAgentOptions, type NodeAgentOptions } from './agent/agent.js';
import { resolveIngressGatewayOptions } from './ingress/gateway.js';

const kubeConfig = new KubeConfig();

describe('resolveNodeAgentOptions', () => {
  const required = {
    kubeConfig,
    nodeName: 'n1',
    podCIDR: '10.1.0.0/24',
    stateDir: '/s',
  } as unknown as NodeAgentOptions;

  it('applies the kubelet-like defaults', () => {
    const r = resolveNodeAgentOptions(required);
    expect(r).toMatchObject({
      nodeName: 'n1',
      heartbeatSeconds: 10,
      nodeStatusSeconds: 60,
      logsPort: 10250,
      parallelStarts: Math.max(2, cpus().length),
      backoffBaseMs: 10_000,
      backoffMaxMs: 300_000,
      syncIntervalMs: 1000,
      resyncIntervalMs: 60_000,
      contentRefreshIntervalMs: 3_000,
      labels: {},
    });
    expect(r.clock()).toBeInstanceOf(Date);
    expect(r.logger.isLevelEnabled('error')).toBe(false);
    expect([r.zone, r.apiServerToken, r.clusterDns]).toEqual([undefined, undefined, undefined]);
  });

  it('keeps 0 (any free logs port) and what was set; undefined gets the default', () => {
    expect(
      resolveNodeAgentOptions({ ...required, logsPort: 0, heartbeatSeconds: 2, syncIntervalMs: undefined }),
    ).toMatchObject({ logsPort: 0, heartbeatSeconds: 2, syncIntervalMs: 1000 });
  });
});

describe('resolveIngressGatewayOptions', () => {
  it('serves class "wharf" as the default class on 127.0.0.1:8080, HTTPS only when asked for', () => {
    const r = resolveIngressGatewayOptions({ kubeConfig });
    expect(r).toMatchObject({
      httpPort: 8080,
      host: '127.0.0.1',
      className: 'wharf',
      defaultClass: true,
      statusAddress: '127.0.0.1',
    });
    expect(r.httpsPort).toBeUndefined();
  });

  it('reports loopback in the Ingress status for a wildcard listen address, the host otherwise, unless set', () => {
    expect(resolveIngressGatewayOptions({ kubeConfig, host: '0.0.0.0' }).statusAddress).toBe('127.0.0.1');
    expect(resolveIngressGatewayOptions({ kubeConfig, host: '::' }).statusAddress).toBe('127.0.0.1');
    expect(resolveIngressGatewayOptions({ kubeConfig, host: '10.0.0.5' }).statusAddress).toBe('10.0.0.5');
    expect(
      resolveIngressGatewayOptions({ kubeConfig, host: '0.0.0.0', statusAddress: '192.0.2.1', defaultClass: false }),
    ).toMatchObject({ statusAddress: '192.0.2.1', defaultClass: false });
  });
});
