import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestObjects } from '@wharf/platform-monitoring';
import { loadMonitorConfigs } from '@wharf/platform-npd';
import { npdLogFile, platformWorkloads } from './monitoring-platform.js';

type Container = {
  image: string;
  env?: { name: string; value?: string }[];
  volumeMounts?: { name: string; mountPath: string }[];
};
type Workload = {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec: { containers: Container[]; volumes: { name: string; hostPath?: { path: string } }[] } } };
};

describe("platformWorkloads (wharf up's copy of deploy/npd and deploy/notify)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-platform-workloads-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const objects = platformWorkloads(dir, 'https://10.146.255.1:6443', manifestObjects);
  const body = (kind: string, name: string): Workload =>
    objects.map((o) => o.body as Workload).find((b) => b.kind === kind && b.metadata.name === name)!;

  it('runs the detector, the remediation controller and the gateway from the platform image, reaching the API at the address given', () => {
    for (const [kind, name] of [
      ['DaemonSet', 'node-problem-detector'],
      ['Deployment', 'remediation-controller'],
      ['Deployment', 'notify-gateway'],
      ['Deployment', 'monitoring-components'],
    ] as const) {
      const c = body(kind, name).spec!.template!.spec.containers[0]!;
      expect(c.image).toBe('wharf/platform:0.1.0');
      expect(c.env).toContainEqual({ name: 'WHARF_API_SERVER', value: 'https://10.146.255.1:6443' });
    }
    expect(objects.map((o) => o.path)).toContain(
      '/apis/monitoring.coreos.com/v1/namespaces/wharf-monitoring/servicemonitors',
    );
  });

  it('has the kernel monitor follow DIR/npd/log/kern.log through a hostPath, in a config the detector accepts', () => {
    const pod = body('DaemonSet', 'node-problem-detector').spec!.template!.spec;
    expect(pod.volumes).toContainEqual({
      name: 'wharf-log',
      hostPath: { path: join(dir, 'npd', 'log'), type: 'DirectoryOrCreate' },
    });
    expect(pod.volumes.find((v) => v.name === 'state')?.hostPath?.path).toBe(join(dir, 'npd', 'state'));
    const config = mkdtempSync(join(dir, 'config-'));
    for (const [file, text] of Object.entries(body('ConfigMap', 'node-problem-detector-config').data!))
      writeFileSync(join(config, file), text);
    const [monitor] = loadMonitorConfigs(config) as unknown as { plugin: string; logPath: string; source: string }[];
    expect(monitor).toMatchObject({ plugin: 'filelog', logPath: '/wharf-log/kern.log', source: 'kernel-monitor' });
    expect(npdLogFile(dir)).toBe(join(dir, 'npd', 'log', 'kern.log'));
  });

  it("gives the query proxy a serving certificate for its Service name, and its APIService that certificate's CA", async () => {
    const secret = objects.find((o) => o.path === '/api/v1/namespaces/wharf-monitoring/secrets')!.body as {
      data: Record<string, string>;
    };
    const api = objects.find((o) => o.path === '/apis/apiregistration.k8s.io/v1/apiservices')!.body as {
      spec: { service: { name: string }; caBundle: string };
    };
    const { X509Certificate } = await import('node:crypto');
    const leaf = new X509Certificate(Buffer.from(secret.data['tls.crt']!, 'base64'));
    const ca = new X509Certificate(Buffer.from(api.spec.caBundle, 'base64'));
    expect(leaf.subjectAltName).toBe('DNS:query-proxy.wharf-monitoring.svc');
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(api.spec.service.name).toBe('query-proxy');
    // The same certificate on the next start (the APIService's caBundle stays valid).
    const again = platformWorkloads(dir, 'https://10.146.255.1:6443', manifestObjects).find(
      (o) => o.path === '/apis/apiregistration.k8s.io/v1/apiservices',
    )!.body as { spec: { caBundle: string } };
    expect(again.spec.caBundle).toBe(api.spec.caBundle);
  });
});
