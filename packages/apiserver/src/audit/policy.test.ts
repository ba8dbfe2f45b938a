import { describe, expect, it } from 'vitest';
import { evaluatePolicy, parsePolicy, type AuditAttributes } from './policy.js';

const req = (o: Partial<AuditAttributes> = {}): AuditAttributes => ({
  user: { name: 'ana@example.com', groups: ['oidc:team-a', 'system:authenticated'] },
  verb: 'get',
  resourceRequest: true,
  path: '/api/v1/namespaces/a/pods/web',
  group: '',
  namespace: 'a',
  resource: 'pods',
  subresource: '',
  name: 'web',
  ...o,
});

// The upstream example policy (kubernetes.io/docs/tasks/debug/debug-cluster/audit), shortened.
const policy = parsePolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: RequestResponse
    resources: [{ group: "", resources: ["pods"] }]
  - level: Metadata
    resources: [{ group: "", resources: ["pods/log", "pods/status"] }]
  - level: None
    resources: [{ group: "", resources: ["configmaps"], resourceNames: ["controller-leader"] }]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources: [{ group: "", resources: ["endpoints", "services"] }]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs: ["/api*", "/version"]
  - level: Request
    resources: [{ group: "" , resources: ["configmaps"] }]
    namespaces: ["kube-system"]
  - level: Metadata
    resources: [{ group: "", resources: ["secrets", "configmaps"] }]
  - level: Request
    resources: [{ group: "" }, { group: "extensions" }]
  - level: Metadata
    omitStages: [ResponseComplete]
`);

describe('audit policy', () => {
  it('takes the first rule that matches, by group and resource', () => {
    expect(evaluatePolicy(policy, req()).level).toBe('RequestResponse');
    expect(evaluatePolicy(policy, req({ resource: 'services' })).level).toBe('Request');
    expect(evaluatePolicy(policy, req({ group: 'apps', resource: 'deployments' })).level).toBe('Metadata');
  });

  it('matches subresources only by resource/subresource, not by the resource alone', () => {
    expect(evaluatePolicy(policy, req({ subresource: 'log' })).level).toBe('Metadata');
    expect(evaluatePolicy(policy, req({ subresource: 'exec' })).level).toBe('Request');
    const wild = parsePolicy(
      '{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[{"level":"None","resources":[{"resources":["*/status"]}]},{"level":"Request","resources":[{"resources":["deployments/*"],"group":"apps"}]}]}',
    );
    expect(evaluatePolicy(wild, req({ resource: 'nodes', subresource: 'status' })).level).toBe('None');
    expect(evaluatePolicy(wild, req({ group: 'apps', resource: 'deployments', subresource: 'scale' })).level).toBe(
      'Request',
    );
    // As upstream: "deployments/*" is the resource and all its subresources.
    expect(evaluatePolicy(wild, req({ group: 'apps', resource: 'deployments' })).level).toBe('Request');
    expect(evaluatePolicy(wild, req({ group: 'apps', resource: 'replicasets' })).level).toBe('None');
  });

  it('matches resourceNames, users with verbs, and namespaces', () => {
    expect(evaluatePolicy(policy, req({ resource: 'configmaps', name: 'controller-leader' })).level).toBe('None');
    expect(evaluatePolicy(policy, req({ resource: 'configmaps', name: 'other' })).level).toBe('Metadata');
    expect(evaluatePolicy(policy, req({ resource: 'configmaps', namespace: 'kube-system' })).level).toBe('Request');
    const proxy = { user: { name: 'system:kube-proxy', groups: [] } };
    expect(evaluatePolicy(policy, req({ ...proxy, verb: 'watch', resource: 'endpoints' })).level).toBe('None');
    expect(evaluatePolicy(policy, req({ ...proxy, verb: 'list', resource: 'endpoints' })).level).toBe('Request');
  });

  it('matches non-resource URLs by prefix for the groups named', () => {
    const nonResource = { resourceRequest: false, group: '', resource: '', namespace: '', name: '' };
    expect(evaluatePolicy(policy, req({ ...nonResource, path: '/apis' })).level).toBe('None');
    expect(evaluatePolicy(policy, req({ ...nonResource, path: '/version' })).level).toBe('None');
    expect(evaluatePolicy(policy, req({ ...nonResource, path: '/healthz' })).level).toBe('Metadata');
    expect(
      evaluatePolicy(policy, req({ ...nonResource, path: '/version', user: { name: 'x', groups: [] } })).level,
    ).toBe('Metadata');
  });

  it("joins the policy's omitStages with the rule's", () => {
    expect([...evaluatePolicy(policy, req()).omitStages]).toEqual(['RequestReceived']);
    expect([...evaluatePolicy(policy, req({ group: 'apps', resource: 'deployments' })).omitStages].sort()).toEqual([
      'RequestReceived',
      'ResponseComplete',
    ]);
  });

  it('audits nothing a rule does not match', () => {
    const p = parsePolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata, verbs: [create]}]');
    expect(evaluatePolicy(p, req()).level).toBe('None');
    expect(evaluatePolicy(p, req({ verb: 'create' })).level).toBe('Metadata');
  });

  it('refuses bad policies naming the field', () => {
    expect(() => parsePolicy('kind: Policy\napiVersion: v1\nrules: []')).toThrow(
      'expected apiVersion audit.k8s.io/v1, kind Policy',
    );
    expect(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: []')).toThrow(
      "'rules' must list at least one rule",
    );
    expect(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: Everything}]')).toThrow(
      "'rules[0].level' must be one of None, Metadata, Request, RequestResponse",
    );
    expect(() =>
      parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: None, omitStages: [Later]}]'),
    ).toThrow("'rules[0].omitStages' must list stages");
    expect(() => parsePolicy('kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: None, users: bob}]')).toThrow(
      "'rules[0].users' must be a list of strings",
    );
    expect(() =>
      parsePolicy(
        'kind: Policy\napiVersion: audit.k8s.io/v1\nrules: [{level: None, nonResourceURLs: ["/x"], namespaces: [a]}]',
      ),
    ).toThrow('may not set nonResourceURLs together with resources or namespaces');
  });
});
