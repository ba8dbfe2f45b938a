import { describe, expect, it } from 'vitest';
import {
  ALL_CAPABILITIES,
  containerCapabilities,
  DEFAULT_CAPABILITIES,
  UnknownCapabilityError,
} from './capabilities.js';

describe('containerCapabilities', () => {
  it('gives containerd defaults without SYS_ADMIN', () => {
    expect(containerCapabilities(undefined)).toEqual([...DEFAULT_CAPABILITIES].sort());
    expect(containerCapabilities(undefined)).not.toContain('CAP_SYS_ADMIN');
  });
  it('adds and drops with or without the CAP_ prefix, in any case', () => {
    const caps = containerCapabilities({ add: ['NET_ADMIN', 'cap_sys_time'], drop: ['CHOWN', 'CAP_KILL'] });
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_TIME');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(caps).not.toContain('CAP_KILL');
  });
  it('applies ALL before individual names, as containerd does', () => {
    expect(containerCapabilities({ drop: ['ALL'], add: ['NET_BIND_SERVICE'] })).toEqual(['CAP_NET_BIND_SERVICE']);
    expect(containerCapabilities({ add: ['ALL'], drop: ['CHOWN'] })).toEqual(
      ALL_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN').sort(),
    );
  });
  it('grants what `all` holds when privileged', () => {
    expect(containerCapabilities({ drop: ['ALL'] }, true, ['CAP_SYS_ADMIN', 'CAP_CHOWN'])).toEqual([
      'CAP_CHOWN',
      'CAP_SYS_ADMIN',
    ]);
  });
  it('names the field of an unknown capability', () => {
    expect(() => containerCapabilities({ add: ['CHOWN', 'FLY'] })).toThrow(UnknownCapabilityError);
    expect(() => containerCapabilities({ add: ['CHOWN', 'FLY'] })).toThrow(
      'securityContext.capabilities.add[1]: unknown capability "FLY"',
    );
  });
});
