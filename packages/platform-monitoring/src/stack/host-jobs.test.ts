// The kubelet jobs: through the API server's node proxy for a Prometheus on the host; at each
// node's InternalIP:10250 for one in a pod, with loopback nodes left to the proxy.
import { describe, expect, it } from 'vitest';
import { hostJobs, type HostJobsOptions } from './host-jobs.js';

const base: HostJobsOptions = {
  apiServer: 'https://10.1.255.1:6443',
  caFile: '/sa/ca.crt',
  tokenFile: '/sa/token',
  serverName: 'kubernetes',
  discovery: { httpSd: 'http://sd:8081' },
  kubeStateMetrics: 'ksm:8080',
};
const job = (jobs: ReturnType<typeof hostJobs>, name: string): Record<string, unknown> | undefined =>
  jobs.find((j) => j.job_name === name);

describe('hostJobs', () => {
  it('scrapes the kubelets through the node proxy by default', () => {
    const jobs = hostJobs(base);
    expect(job(jobs, 'kubelet')).toMatchObject({
      tls_config: { ca_file: '/sa/ca.crt', server_name: 'kubernetes' },
      relabel_configs: expect.arrayContaining([{ target_label: '__address__', replacement: '10.1.255.1:6443' }]),
    });
    expect(job(jobs, 'kubelet-proxied')).toBeUndefined();
  });

  it('with kubeletDirect, scrapes InternalIP:10250 over TLS with the token and the CA, as on a real cluster', () => {
    const jobs = hostJobs({ ...base, kubeletDirect: true });
    const direct = job(jobs, 'kubelet')!;
    expect(direct).toMatchObject({
      scheme: 'https',
      tls_config: { ca_file: '/sa/ca.crt' },
      authorization: { type: 'Bearer', credentials_file: '/sa/token' },
      metrics_path: '/metrics/cadvisor',
    });
    expect((direct.tls_config as Record<string, unknown>).server_name).toBeUndefined();
    expect(direct.relabel_configs).toEqual(
      expect.arrayContaining([
        { action: 'drop', source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '127\\..*' },
        {
          source_labels: ['__meta_kubernetes_node_address_InternalIP'],
          regex: '(.+)',
          target_label: '__address__',
          replacement: '${1}:10250',
        },
        { target_label: 'job', replacement: 'kubelet' },
      ]),
    );
    // Nodes pods cannot reach (InternalIP on loopback) stay scraped through the API server.
    expect(job(jobs, 'kubelet-proxied')?.relabel_configs).toEqual(
      expect.arrayContaining([
        { action: 'keep', source_labels: ['__meta_kubernetes_node_address_InternalIP'], regex: '127\\..*' },
      ]),
    );
    expect(job(jobs, 'kubelet-metrics')).toMatchObject({ metrics_path: '/metrics', scheme: 'https' });
  });
});
