import { describe, expect, it } from 'vitest';
import {
  buildOciSpec,
  InvalidContainerConfigError,
  MASKED_PATHS,
  resolveArgs,
  withRootMount,
  type SandboxPaths,
} from './oci-spec.js';
import type { ContainerConfig } from './types.js';

const sandbox: SandboxPaths = {
  hostname: 'web-0',
  netnsPath: '/var/run/netns/wharf-1',
  ipcNsPath: '/s/ipc',
  shmPath: '/s/shm',
  hostsPath: '/s/hosts',
  hostnamePath: '/s/hostname',
  resolvConfPath: '/s/resolv.conf',
};
const base: ContainerConfig = { name: 'app', rootfs: '/images/x', args: ['/bin/app'] };

describe('buildOciSpec', () => {
  it('joins the pod network and IPC namespaces and owns pid, uts and mount', () => {
    const spec = buildOciSpec(base, sandbox, '/wharf/n1/c1');
    expect(spec.linux.namespaces).toEqual([
      { type: 'pid' },
      { type: 'ipc', path: '/s/ipc' },
      { type: 'uts' },
      { type: 'mount' },
      { type: 'network', path: '/var/run/netns/wharf-1' },
    ]);
    expect(spec.hostname).toBe('web-0');
    expect(spec.linux.cgroupsPath).toBe('/wharf/n1/c1');
    expect(spec.linux.maskedPaths).toEqual(MASKED_PATHS);
    expect(spec.process.noNewPrivileges).toBe(true);
    expect(spec.process.env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOSTNAME=web-0',
    ]);
    expect(spec.mounts.map((m) => m.destination)).toEqual([
      '/proc',
      '/dev',
      '/dev/pts',
      '/dev/mqueue',
      '/sys',
      '/sys/fs/cgroup',
      '/dev/shm',
      '/etc/hosts',
      '/etc/hostname',
      '/etc/resolv.conf',
    ]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).toContain('ro');
  });
  it('asks runc for a console with TERM=xterm for a tty container (env may override TERM)', () => {
    expect(buildOciSpec(base, sandbox, '/c').process.terminal).toBe(false);
    const tty = buildOciSpec({ ...base, tty: true }, sandbox, '/c');
    expect(tty.process.terminal).toBe(true);
    expect(tty.process.env).toContain('TERM=xterm');
    expect(
      buildOciSpec({ ...base, tty: true, env: [{ name: 'TERM', value: 'vt100' }] }, sandbox, '/c').process.env,
    ).toContain('TERM=vt100');
  });
  it('maps securityContext, resources and mounts', () => {
    const spec = buildOciSpec(
      {
        ...base,
        env: [
          { name: 'PATH', value: '/bin' },
          { name: 'A', value: '1' },
        ],
        workingDir: '/srv',
        securityContext: {
          runAsUser: 1000,
          runAsGroup: 2000,
          supplementalGroups: [3000],
          readOnlyRootFilesystem: true,
        },
        resources: { memoryLimitBytes: 64 << 20, cpuLimitMillis: 500, cpuRequestMillis: 250, pidsLimit: 100 },
        mounts: [{ hostPath: '/vol/data', containerPath: '/data', readOnly: true }],
      },
      sandbox,
      '/wharf/n1/c1',
    );
    expect(spec.process.user).toEqual({ uid: 1000, gid: 2000, additionalGids: [3000] });
    expect(spec.process.env).toEqual(['PATH=/bin', 'HOSTNAME=web-0', 'A=1']);
    expect(spec.process.cwd).toBe('/srv');
    expect(spec.root).toEqual({ path: 'rootfs', readonly: true });
    expect(spec.linux.resources).toEqual({
      devices: [{ allow: false, access: 'rwm' }],
      cpu: { shares: 256, quota: 50000, period: 100000 },
      memory: { limit: 64 << 20 },
      pids: { limit: 100 },
    });
    expect(spec.mounts.at(-1)).toEqual({
      destination: '/data',
      type: 'bind',
      source: '/vol/data',
      options: ['rbind', 'rprivate', 'ro'],
    });
    expect(spec.mounts.find((m) => m.destination === '/etc/hosts')?.options).toContain('ro');
  });
  it('privileged: all given capabilities, no masked paths, devices allowed, writable /sys', () => {
    const spec = buildOciSpec({ ...base, securityContext: { privileged: true } }, sandbox, '/c', ['CAP_SYS_ADMIN']);
    expect(spec.process.capabilities.effective).toEqual(['CAP_SYS_ADMIN']);
    expect(spec.process.noNewPrivileges).toBe(false);
    expect(spec.linux.maskedPaths).toBeUndefined();
    expect(spec.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(spec.mounts.find((m) => m.destination === '/sys')?.options).toContain('rw');
  });
  it('names the invalid field', () => {
    expect(() => buildOciSpec({ ...base, args: [] }, sandbox, '/c')).toThrow(InvalidContainerConfigError);
    expect(() => buildOciSpec({ ...base, workingDir: 'rel' }, sandbox, '/c')).toThrow(
      "'workingDir' must be an absolute path",
    );
    expect(() => buildOciSpec({ ...base, resources: { memoryLimitBytes: -1 } }, sandbox, '/c')).toThrow(
      "'resources.memoryLimitBytes'",
    );
    expect(() => buildOciSpec({ ...base, mounts: [{ hostPath: 'x', containerPath: '/x' }] }, sandbox, '/c')).toThrow(
      "'mounts[0].hostPath'",
    );
    expect(() => buildOciSpec({ ...base, name: 'Bad' }, sandbox, '/c')).toThrow("'name'");
  });
});

describe('resolveArgs', () => {
  const image = { entrypoint: ['/entry'], cmd: ['--default'] };
  it('follows the Kubernetes rules for command and args', () => {
    expect(resolveArgs(image, {})).toEqual(['/entry', '--default']);
    expect(resolveArgs(image, { args: ['--x'] })).toEqual(['/entry', '--x']);
    expect(resolveArgs(image, { command: ['/bin/sh'] })).toEqual(['/bin/sh']);
    expect(resolveArgs(image, { command: ['/bin/sh'], args: ['-c', 'true'] })).toEqual(['/bin/sh', '-c', 'true']);
  });
});

describe('withRootMount', () => {
  it('puts the root overlay before every other mount, so /proc, /dev and the volumes land on it', () => {
    const spec = buildOciSpec(base, sandbox, '/c');
    const root = { destination: '/', type: 'overlay', source: 'overlay', options: ['lowerdir=/l'] };
    const out = withRootMount(spec, root);
    expect(out.mounts[0]).toEqual(root);
    expect(out.mounts.slice(1)).toEqual(spec.mounts);
    expect(spec.mounts[0]).not.toEqual(root);
  });
});
