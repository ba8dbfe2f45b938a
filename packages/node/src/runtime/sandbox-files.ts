// The files the runtime writes for a pod and bind-mounts into each of its containers:
// /etc/hosts (in the kubelet's format), /etc/hostname and /etc/resolv.conf. Pure.
import type { PodSandboxConfig } from './types.js';

/** Hostnames are at most 63 characters; the kubelet truncates longer pod names the same way. */
export function podHostname(config: PodSandboxConfig): string {
  return (config.hostname ?? config.name).slice(0, 63).replace(/[-.]+$/, '');
}

export function hostsFile(hostname: string, podIP: string, aliases: PodSandboxConfig['hostAliases'] = []): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${podIP}\t${hostname}`,
  ];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** resolv.conf from the pod's DNS config, or the host's file when the pod has none. */
export function resolvConf(dns: PodSandboxConfig['dns'], hostResolvConf: string): string {
  if (!dns) return hostResolvConf;
  const lines: string[] = [];
  if (dns.searches?.length) lines.push(`search ${dns.searches.join(' ')}`);
  for (const s of dns.servers) lines.push(`nameserver ${s}`);
  if (dns.options?.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
