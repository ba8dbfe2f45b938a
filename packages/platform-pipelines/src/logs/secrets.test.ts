import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { secretRefs, secretValues } from './secrets.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('the Secret values a build pod can see', () => {
  const pod: V1Pod = {
    spec: {
      initContainers: [
        {
          name: 'step-a',
          env: [
            { name: 'T', valueFrom: { secretKeyRef: { name: 'tok', key: 'token' } } },
            { name: 'P', value: 'plain' },
          ],
          envFrom: [{ secretRef: { name: 'all-env' } }],
        },
      ],
      containers: [{ name: 'wharf-results' }],
      volumes: [
        { name: 'ws-creds', secret: { secretName: 'creds' } },
        { name: 'x', projected: { sources: [{ secret: { name: 'proj' } }] } },
        { name: 'cm', configMap: { name: 'not-secret' } },
      ],
    },
  };

  it('finds env valueFrom (one key), envFrom, secret workspaces and projected secrets', () => {
    expect(secretRefs(pod)).toEqual([
      { name: 'tok', key: 'token' },
      { name: 'all-env' },
      { name: 'creds' },
      { name: 'proj' },
    ]);
  });

  it('decodes only the keys referenced', () => {
    const secrets = new Map<string, V1Secret>([
      ['tok', { data: { token: b64('t0ken-value'), other: b64('not-used-here') } }],
      ['creds', { data: { user: b64('alice'), password: b64('pa55word\n') } }],
    ]);
    expect(secretValues(secretRefs(pod), secrets)).toEqual(['t0ken-value', 'alice', 'pa55word\n']);
  });
});
