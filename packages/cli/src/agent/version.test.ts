import { describe, expect, it } from 'vitest';
import { agentSkew, nodeAgentVersion, parseAgentVersion } from './version.js';

describe('agent versions', () => {
  it('parses X.Y.Z with or without the v, and names the flag otherwise', () => {
    expect(parseAgentVersion('v1.33.5')).toBe('1.33.5');
    expect(parseAgentVersion('1.31.13')).toBe('1.31.13');
    expect(() => parseAgentVersion('1.33')).toThrow(
      '--kubernetes-version must be a Kubernetes version X.Y.Z, got "1.33"',
    );
  });

  it('allows agents up to three minors older than the API server, never newer (patches too)', () => {
    expect(agentSkew('1.32.9', '1.33.5')).toBeUndefined();
    expect(agentSkew('1.30.0', '1.33.5')).toBeUndefined();
    expect(agentSkew('1.33.5', '1.33.5')).toBeUndefined();
    expect(agentSkew('1.29.1', '1.33.5')).toBe(
      "the agent's 1.29.1 is more than 3 minors older than the API server's 1.33.5",
    );
    expect(agentSkew('1.33.5', '1.32.9')).toContain("newer than the API server's 1.32.9");
    expect(agentSkew('1.32.9', '1.32.4')).toContain('newer');
  });

  it("keeps the version an agent ran while the skew allows it, else takes the control plane's", () => {
    expect(nodeAgentVersion(undefined, '1.33.5')).toBe('1.33.5');
    expect(nodeAgentVersion('1.32.9', '1.33.5')).toBe('1.32.9');
    expect(nodeAgentVersion('1.33.5', '1.32.9')).toBe('1.32.9');
    expect(nodeAgentVersion('1.28.0', '1.33.5')).toBe('1.33.5');
    expect(nodeAgentVersion('garbage', '1.33.5')).toBe('1.33.5');
  });
});
