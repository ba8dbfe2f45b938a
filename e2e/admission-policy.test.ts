// ValidatingAdmissionPolicy parameters, audit annotations and the Audit action, and CEL's runtime
// cost limits, with kubectl 1.32 against `wharf up --audit-policy-file`: a policy reads its limit
// from a ConfigMap (paramRef by name, in the request's namespace; by selector, in a fixed one), a
// missing parameter is denied or allowed as the binding says, auditAnnotations and Audit failures
// land in the audit log's entry for the request, and a CRD rule or a policy expression that runs
// past upstream's per-call cost limit fails the request with upstream's error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crdManifest, eventually, Kubectl, KUBECTL_132, WharfProcess } from '@wharf/testing';

interface AuditEvent {
  stage: string;
  verb: string;
  objectRef?: { resource: string; namespace?: string; name?: string };
  responseStatus?: { code: number };
  annotations?: Record<string, string>;
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    verbs: [get, list, watch]
  - level: Metadata
`;

const dir = mkdtempSync(join(tmpdir(), 'wharf-vap-e2e-'));
const logPath = join(dir, 'audit.log');
let wharf: WharfProcess;
let k: Kubectl;

const deployment = (name: string, ns: string, replicas: number, labels = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}${labels ? `, labels: {${labels}}` : ''}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: busybox:1}]}
`;

/** A ValidatingAdmissionPolicy and its binding of the same name; both specs as indented YAML lines. */
const policyAndBinding = (
  name: string,
  policySpec: string,
  bindingSpec: string,
): string => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: ${name}}
spec:
${policySpec}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: ${name}}
spec:
  policyName: ${name}
${bindingSpec}
`;

beforeAll(async () => {
  writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
  wharf = await WharfProcess.start({
    extraArgs: ['--no-platform', '--audit-policy-file', join(dir, 'audit-policy.yaml'), '--audit-log-path', logPath],
  });
  k = new Kubectl(wharf.kubeconfig, KUBECTL_132);
  for (const ns of ['team-a', 'team-b', 'limits']) await k.ok(['create', 'namespace', ns]);
}, 120_000);

afterAll(async () => {
  await wharf?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('ValidatingAdmissionPolicy parameters', () => {
  it('reads the limit from a ConfigMap named by paramRef in the request namespace; a missing one denies as the binding says', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: policyAndBinding(
        'replica-limit',
        `  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  validations:
  - expression: "object.spec.replicas <= int(params.data.maxReplicas)"
    messageExpression: "'replicas must be at most ' + params.data.maxReplicas + ' in ' + object.metadata.namespace"
    reason: Forbidden`,
        `  validationActions: [Deny]
  paramRef: {name: replica-limit, parameterNotFoundAction: Deny}
  matchResources: {namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [team-a, team-b]}]}}`,
      ),
    });
    const missing = await k.run(['apply', '-f', '-'], { stdin: deployment('web', 'team-a', 2) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "ValidatingAdmissionPolicy 'replica-limit' with binding 'replica-limit' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
    await k.ok(['create', 'configmap', 'replica-limit', '-n', 'team-a', '--from-literal=maxReplicas=3']);
    await k.ok(['create', 'configmap', 'replica-limit', '-n', 'team-b', '--from-literal=maxReplicas=10']);
    await k.ok(['apply', '-f', '-'], { stdin: deployment('web', 'team-a', 2) });
    const over = await k.run(['apply', '-f', '-'], { stdin: deployment('web', 'team-a', 5) });
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('replicas must be at most 3 in team-a');
    // Each namespace's own parameter: 5 is within team-b's limit.
    await k.ok(['apply', '-f', '-'], { stdin: deployment('web', 'team-b', 5) });
    expect(await k.ok(['get', 'deployment', 'web', '-n', 'team-b', '-o', 'jsonpath={.spec.replicas}'])).toBe('5');
  });

  it('evaluates once per ConfigMap a paramRef selector finds in its namespace, and warns with each failure', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: v1
kind: ConfigMap
metadata: {name: no-latest, namespace: limits, labels: {image-rule: "yes"}}
data: {suffix: ":latest", why: "pin a version"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: no-busybox, namespace: limits, labels: {image-rule: "yes"}}
data: {suffix: "busybox:1", why: "busybox is for debugging"}
---
${policyAndBinding(
  'image-rules',
  `  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: "object.spec.template.spec.containers.all(c, !c.image.endsWith(params.data.suffix))"
    messageExpression: "params.metadata.name + ': ' + params.data.why"`,
  `  validationActions: [Warn]
  paramRef: {namespace: limits, selector: {matchLabels: {image-rule: "yes"}}, parameterNotFoundAction: Allow}
  matchResources: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-b}}}`,
)}
`,
    });
    const warned = await k.run(['apply', '-f', '-'], { stdin: deployment('debug', 'team-b', 1) });
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      "Warning: Validation failed for ValidatingAdmissionPolicy 'image-rules' with binding 'image-rules': no-busybox: busybox is for debugging",
    );
    expect(warned.stderr).not.toContain('no-latest');
  });
});

describe('audit annotations and the Audit action', () => {
  const events = (): AuditEvent[] =>
    readFileSync(logPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEvent);

  it("writes auditAnnotations and the failures of an Audit binding to the request's audit entry, and lets the request through", async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: policyAndBinding(
        'owner-audit',
        `  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
  - expression: "has(object.metadata.labels) && 'owner' in object.metadata.labels"
    message: deployments should name their owner
  auditAnnotations:
  - key: replicas
    valueExpression: "'asked for ' + string(object.spec.replicas)"`,
        `  validationActions: [Audit]
  matchResources: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-b}}}`,
      ),
    });
    await k.ok(['apply', '-f', '-'], { stdin: deployment('unowned', 'team-b', 2) });
    const entry = await eventually(
      () =>
        events().find((e) => e.verb === 'create' && e.objectRef?.name === 'unowned' && e.stage === 'ResponseComplete'),
      10_000,
      'the audit entry of the create',
    );
    expect(entry.responseStatus?.code).toBe(201);
    expect(entry.annotations?.['owner-audit/replicas']).toBe('asked for 2');
    expect(JSON.parse(entry.annotations?.['validation.policy.admission.k8s.io/validation_failure'] ?? '[]')).toEqual([
      {
        message: 'deployments should name their owner',
        policy: 'owner-audit',
        binding: 'owner-audit',
        expressionIndex: 0,
        validationActions: ['Audit'],
      },
    ]);
    // An owned Deployment gets the annotation but no failure.
    await k.ok(['apply', '-f', '-'], { stdin: deployment('owned', 'team-b', 1, 'owner: ops') });
    const owned = await eventually(
      () =>
        events().find((e) => e.verb === 'create' && e.objectRef?.name === 'owned' && e.stage === 'ResponseComplete'),
      10_000,
      'the audit entry of the owned create',
    );
    expect(owned.annotations).toEqual({ 'owner-audit/replicas': 'asked for 1' });
  });
});

describe('CEL runtime cost limits', () => {
  it("a CRD rule that runs past the per-call cost limit fails the object with upstream's error", async () => {
    // Within the estimated budget (at most 800 names), but 800 names make 1.3 million comparisons at runtime.
    await k.ok(['apply', '-f', '-'], {
      stdin: crdManifest({
        group: 'cost.wharf.test',
        kind: 'Roster',
        spec: {
          'x-kubernetes-validations': [{ rule: 'self.names.all(a, self.names.all(b, a == b || a != b))' }],
          properties: { names: { type: 'array', maxItems: 800, items: { type: 'string', maxLength: 8 } } },
        },
      }),
    });
    await k.ok(['wait', '--for=condition=Established', 'crd/rosters.cost.wharf.test', '--timeout=30s']);
    const roster = (n: number): string =>
      JSON.stringify({
        apiVersion: 'cost.wharf.test/v1',
        kind: 'Roster',
        metadata: { name: `r${n}`, namespace: 'team-a' },
        spec: { names: Array.from({ length: n }, (_, i) => `n${i}`) },
      });
    const r = await k.run(['create', '-f', '-'], { stdin: roster(800) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'The Roster "r800" is invalid: spec: Invalid value: "object": \'operation cancelled: actual cost limit exceeded\': no further validation rules will be run due to call cost exceeds limit for rule: self.names.all(a, self.names.all(b, a == b || a != b))',
    );
    await k.ok(['create', '-f', '-'], { stdin: roster(100) });
  });

  it('a policy expression past the per-call limit is an evaluation error: failurePolicy Fail denies; its estimated cost draws a warning', async () => {
    const created = await k.run(['apply', '-f', '-'], {
      stdin: policyAndBinding(
        'pairwise',
        `  failurePolicy: Fail
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  validations:
  - expression: "object.data.all(a, object.data.all(b, a == b || a != b))"`,
        `  validationActions: [Deny]
  matchResources: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-a}}}`,
      ),
    });
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(
      'Warning: spec.validations[0].expression: estimated expression cost exceeds the runtime cost limit by factor of more than 100x',
    );
    const big = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'wide', namespace: 'team-a' },
      data: Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`k${i}`, ''])),
    });
    const denied = await k.run(['create', '-f', '-'], { stdin: big });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(
      "ValidatingAdmissionPolicy 'pairwise' with binding 'pairwise' denied request: expression 'object.data.all(a, object.data.all(b, a == b || a != b))' resulted in error: operation cancelled: actual cost limit exceeded",
    );
    await k.ok(['create', 'configmap', 'narrow', '-n', 'team-a', '--from-literal=a=1']);
  });
});
