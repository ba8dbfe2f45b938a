import { describe, expect, it } from 'vitest';
import { hostsFile, podHostname, resolvConf } from './sandbox-files.js';

describe('sandbox files', () => {
  it('writes /etc/hosts as the kubelet does', () => {
    const hosts = hostsFile('web-0', '10.1.0.5', [{ ip: '10.9.9.9', hostnames: ['a', 'b'] }]);
    expect(hosts).toMatch(/^# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n/);
    expect(hosts).toContain('10.1.0.5\tweb-0\n');
    expect(hosts).toContain('# Entries added by HostAliases.\n10.9.9.9\ta\tb\n');
  });
  it('truncates hostnames to 63 characters', () => {
    expect(podHostname({ uid: 'u', name: `${'a'.repeat(62)}-b`, namespace: 'd' })).toBe('a'.repeat(62));
    expect(podHostname({ uid: 'u', name: 'p', namespace: 'd', hostname: 'h' })).toBe('h');
  });
  it('writes resolv.conf from the pod DNS config or copies the host file', () => {
    expect(
      resolvConf({ servers: ['10.96.0.10'], searches: ['default.svc.cluster.local'], options: ['ndots:5'] }, 'x'),
    ).toBe('search default.svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(resolvConf(undefined, 'nameserver 1.1.1.1\n')).toBe('nameserver 1.1.1.1\n');
  });
});
