import { describe, expect, it } from 'vitest';
import { endpointLease, endpointsOfLeases, ENDPOINT_LEASE_SECONDS } from './master-leases.js';

const T = Date.parse('2026-12-06T20:00:00Z');

describe('the kubernetes Service endpoints from API server Leases', () => {
  it('lists every endpoint a Lease names, and as live those renewed within the TTL', () => {
    const leases = [
      endpointLease({ address: '10.1.255.1', port: 7001 }, T),
      endpointLease({ address: '10.1.255.1', port: 7002 }, T - (ENDPOINT_LEASE_SECONDS + 1) * 1000),
      // A member that stopped cleanly expired its own Lease.
      endpointLease({ address: '10.1.255.1', port: 7003 }, 0),
      { spec: { holderIdentity: 'not an endpoint', renewTime: new Date(T).toISOString() } },
    ];
    expect(leases[0]?.spec).toMatchObject({
      holderIdentity: '10.1.255.1:7001',
      renewTime: '2026-12-06T20:00:00.000000Z',
    });
    const { known, live } = endpointsOfLeases(leases as never, T + 1000);
    expect(known.map((a) => a.port)).toEqual([7001, 7002, 7003]);
    expect(live).toEqual([{ address: '10.1.255.1', port: 7001 }]);
  });
});
