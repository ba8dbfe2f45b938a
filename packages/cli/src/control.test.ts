import { describe, expect, it } from 'vitest';
import { parseControl } from './control.js';

describe('control requests', () => {
  it('names a node drill, an API server member restart or a handover; anything else is unknown', () => {
    expect(parseControl('/nodes/node-1/upgrade')).toEqual({ kind: 'node', action: 'upgrade', node: 'node-1' });
    expect(parseControl('/members/2/restart')).toEqual({ kind: 'member', member: 2 });
    expect(parseControl('/handover')).toEqual({ kind: 'handover' });
    // Member 0 is `wharf up` itself: it restarts through a handover, not a member restart.
    expect(parseControl('/members/0/restart')).toBeUndefined();
    expect(parseControl('/nodes/node-1/delete')).toBeUndefined();
  });
});
