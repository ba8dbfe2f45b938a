import { describe, expect, it } from 'vitest';
import { GUARD_CHAIN, GUARD_DEVICE, guardRestoreText } from './guard.js';

describe('guardRestoreText', () => {
  it('rejects what is routed into the guard unless the Service rules DNATed it', () => {
    const rules = guardRestoreText()
      .split('\n')
      .filter((l) => l.startsWith('-A '));
    // OUTPUT's -o is the device chosen before NAT: without the DNAT exemption, every connection
    // from the host to a cluster IP would be refused.
    expect(rules).toEqual([
      expect.stringMatching(
        new RegExp(`^-A ${GUARD_CHAIN} -o ${GUARD_DEVICE} -m conntrack ! --ctstate DNAT .*-j REJECT`),
      ),
    ]);
    expect(guardRestoreText()).toMatch(/^\*filter\n/);
    expect(guardRestoreText()).toMatch(/\nCOMMIT\n$/);
  });
});
