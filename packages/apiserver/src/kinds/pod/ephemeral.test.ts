import { describe, expect, it } from 'vitest';
import { FieldPath } from '../../validation/issues.js';
import { validateEphemeralContainersUpdate } from './ephemeral.js';

const at = FieldPath.root('spec').child('ephemeralContainers');
const spec = (ephemeralContainers: Record<string, unknown>[]): Record<string, unknown> => ({
  containers: [{ name: 'app', image: 'a' }],
  ephemeralContainers,
});
const messages = (now: Record<string, unknown>[], before: Record<string, unknown>[] = []): string[] =>
  validateEphemeralContainersUpdate(spec(now), spec(before), at).map((i) => `${i.field}: ${i.message}`);

describe('validateEphemeralContainersUpdate', () => {
  it('accepts a new debugging container beside the existing ones', () => {
    expect(
      messages(
        [
          { name: 'dbg', image: 'busybox:1' },
          { name: 'dbg2', image: 'busybox:1', targetContainerName: 'app' },
        ],
        [{ name: 'dbg', image: 'busybox:1' }],
      ),
    ).toEqual([]);
  });

  it('refuses removing or changing an existing one', () => {
    expect(messages([], [{ name: 'dbg', image: 'busybox:1' }])).toEqual([
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed',
    ]);
    expect(messages([{ name: 'dbg', image: 'busybox:2' }], [{ name: 'dbg', image: 'busybox:1' }])).toEqual([
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed',
    ]);
  });

  it('refuses what an ephemeral container cannot have, a name already used, and an unknown target', () => {
    expect(messages([{ name: 'app', image: 'x' }])).toEqual([
      'spec.ephemeralContainers[0].name: Duplicate value: "app"',
    ]);
    expect(
      messages([
        {
          name: 'd',
          image: 'x',
          ports: [{ containerPort: 80 }],
          readinessProbe: {},
          resources: { limits: { cpu: '1' } },
        },
      ]),
    ).toEqual([
      'spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container',
      'spec.ephemeralContainers[0].resources: Forbidden: cannot be set for an Ephemeral Container',
    ]);
    expect(messages([{ name: 'd', image: 'x', targetContainerName: 'nope' }])).toEqual([
      'spec.ephemeralContainers[0].targetContainerName: Not found: "nope"',
    ]);
    expect(messages([{ name: 'd' }])).toEqual(['spec.ephemeralContainers[0].image: Required value']);
  });
});
