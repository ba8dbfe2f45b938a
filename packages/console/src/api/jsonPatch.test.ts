import { describe, expect, it } from 'vitest';
import { ApiError } from './client.js';
import { causesAt, kubectlPatch, placesAll, pointer } from './jsonPatch.js';
import { kindByPlural } from './kinds.js';

describe('kubectlPatch', () => {
  it('names the resource with its group and quotes the patch for a shell', () => {
    const cmd = kubectlPatch(kindByPlural('deployments')!, 'default', 'web', [
      { op: 'add', path: '/spec/template/spec/containers/0/env', value: [{ name: 'A', value: "it's" }] },
    ]);
    expect(cmd).toBe(
      `kubectl patch deployments.apps web -n default --type=json -p '[{"op":"add","path":"/spec/template/spec/containers/0/env","value":[{"name":"A","value":"it'\\''s"}]}]'`,
    );
    expect(kubectlPatch(kindByPlural('services')!, 'default', 'web', [])).toBe(
      `kubectl patch services web -n default --type=json -p '[]'`,
    );
  });
});

describe('causes beside fields', () => {
  const e = new ApiError(422, 'Invalid', 'Service "web" is invalid', [
    { field: 'spec.ports[0].port', message: 'Invalid value: 0: must be between 1 and 65535, inclusive' },
    { field: 'spec.ports[1]', message: 'Duplicate value' },
  ]);

  it('finds the causes about a field or below it, not about a sibling whose name starts the same', () => {
    expect(causesAt(e, 'spec.ports[0]')).toEqual(['Invalid value: 0: must be between 1 and 65535, inclusive']);
    expect(causesAt(e, 'spec.ports[0].port')).toHaveLength(1);
    expect(causesAt(e, 'spec.ports[0].name')).toEqual([]);
    expect(causesAt(new Error('x'), 'spec')).toEqual([]);
  });

  it('says whether the fields shown place every cause', () => {
    expect(placesAll(e, ['spec.ports[0]', 'spec.ports[1]'])).toBe(true);
    expect(placesAll(e, ['spec.ports[0]'])).toBe(false);
    expect(placesAll(new ApiError(400, 'BadRequest', 'x'), ['spec'])).toBe(false);
  });

  it('escapes JSON pointer tokens', () => {
    expect(pointer('a/b~c')).toBe('a~1b~0c');
  });
});
