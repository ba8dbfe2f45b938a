import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { agentPath } from './node-proxy.js';

const refused = (raw: string): string => {
  try {
    agentPath(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(400);
    return (e as ApiError).message;
  }
  throw new Error(`${raw} was not refused`);
};

describe('nodes/proxy paths', () => {
  it('maps the path after /proxy to the agent, re-encoding each segment', () => {
    expect(agentPath('/api/v1/nodes/node-0/proxy/metrics/resource')).toBe('/metrics/resource');
    expect(agentPath('/api/v1/nodes/node-0/proxy/metrics/cadvisor/')).toBe('/metrics/cadvisor/');
    expect(agentPath('/api/v1/nodes/node-0/proxy')).toBe('/');
    expect(agentPath('/api/v1/nodes/node-0/proxy/')).toBe('/');
    expect(agentPath('/api/v1/nodes/node-0/proxy/containerLogs/ns/a%20b/c')).toBe('/containerLogs/ns/a%20b/c');
  });

  it('refuses dot segments, encoded slashes, backslashes and control characters with 400', () => {
    expect(refused('/api/v1/nodes/node-0/proxy/../../api/v1/secrets')).toMatch(
      /"\." and "\.\." segments are not allowed/,
    );
    expect(refused('/api/v1/nodes/node-0/proxy/metrics/%2e%2e/x')).toMatch(/segments are not allowed/);
    expect(refused('/api/v1/nodes/node-0/proxy/./metrics')).toMatch(/segments are not allowed/);
    expect(refused('/api/v1/nodes/node-0/proxy/metrics%2Fresource')).toMatch(/encoded slashes/);
    expect(refused('/api/v1/nodes/node-0/proxy/metrics%5c..')).toMatch(/encoded slashes/);
    expect(refused('/api/v1/nodes/node-0/proxy/a\\b')).toMatch(/backslashes/);
    expect(refused('/api/v1/nodes/node-0/proxy/a%00b')).toMatch(/control characters/);
    expect(refused('/api/v1/nodes/node-0/proxy/a%zz')).toMatch(/malformed percent-encoding/);
    expect(refused('/api/v1/nodes/node-0/proxy//metrics')).toMatch(/empty path segment/);
    expect(refused('/api/v1/nodes/node-0/proxy%2F..%2Fx')).toMatch(/expected \/api\/v1\/nodes\/<name>\/proxy\/<path>/);
  });
});
