import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { serviceEnv } from './service-env.js';

const svc = (
  namespace: string,
  name: string,
  clusterIP: string,
  ports: { name?: string; port: number; protocol?: string }[],
): V1Service => ({
  metadata: { name, namespace },
  spec: { clusterIP, ports: ports.map((p) => ({ ...p })) },
});
const master = svc('default', 'kubernetes', '10.96.0.1', [{ name: 'https', port: 443 }]);
const pod = (enableServiceLinks?: boolean): V1Pod => ({
  metadata: { name: 'p', namespace: 'shop' },
  spec: { containers: [], ...(enableServiceLinks === undefined ? {} : { enableServiceLinks }) },
});
const asMap = (vars: { name: string; value: string }[]): Record<string, string> =>
  Object.fromEntries(vars.map((v) => [v.name, v.value]));

describe('service environment variables', () => {
  it('gives every container the kubernetes Service, as the kubelet does', () => {
    expect(asMap(serviceEnv(pod(), [], master))).toEqual({
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
      KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
      KUBERNETES_PORT_443_TCP_PORT: '443',
      KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
    });
  });

  it("adds the namespace's Services with upper-cased, underscored names and every port", () => {
    const env = asMap(
      serviceEnv(
        pod(),
        [
          svc('shop', 'redis-primary', '10.96.3.4', [
            { name: 'redis', port: 6379 },
            { name: 'dns-udp', port: 53, protocol: 'UDP' },
          ]),
        ],
        master,
      ),
    );
    expect(env.REDIS_PRIMARY_SERVICE_HOST).toBe('10.96.3.4');
    expect(env.REDIS_PRIMARY_SERVICE_PORT).toBe('6379');
    expect(env.REDIS_PRIMARY_SERVICE_PORT_DNS_UDP).toBe('53');
    expect(env.REDIS_PRIMARY_PORT).toBe('tcp://10.96.3.4:6379');
    expect(env.REDIS_PRIMARY_PORT_53_UDP).toBe('udp://10.96.3.4:53');
    expect(env.REDIS_PRIMARY_PORT_53_UDP_PROTO).toBe('udp');
  });

  it("leaves out headless Services, and the namespace's Services when enableServiceLinks is false", () => {
    const services = [svc('shop', 'db', 'None', [{ port: 5432 }]), svc('shop', 'web', '10.96.9.9', [{ port: 80 }])];
    expect(Object.keys(asMap(serviceEnv(pod(), services, master))).some((k) => k.startsWith('DB_'))).toBe(false);
    const off = asMap(serviceEnv(pod(false), services, master));
    expect(off.WEB_SERVICE_HOST).toBeUndefined();
    expect(off.KUBERNETES_SERVICE_HOST).toBe('10.96.0.1');
  });

  it('gives nothing for the API before the kubernetes Service exists', () => {
    expect(serviceEnv(pod(false), [], undefined)).toEqual([]);
  });
});
