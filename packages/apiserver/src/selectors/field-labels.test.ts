import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@wharf/api';
import {
  SelectorError,
  compileFieldSelector,
  fieldGetter,
  parseFieldSelector,
  supportedFieldLabels,
  validateFieldSelector,
} from './index.js';

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop' },
  spec: {
    nodeName: 'n1',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    serviceAccountName: 'web',
    hostNetwork: true,
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.5',
    podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }],
    nominatedNodeName: '',
  },
};

function rejects(group: string, resource: string, selector: string): string {
  try {
    validateFieldSelector(group, resource, parseFieldSelector(selector));
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorError);
    return (e as Error).message;
  }
  throw new Error(`expected ${selector} on ${group}/${resource} to be refused`);
}

describe('pods', () => {
  it('exposes the fields kubectl drain and describe select on', () => {
    expect(fieldGetter('', 'pods')(pod)).toEqual({
      'metadata.name': 'web-1',
      'metadata.namespace': 'shop',
      'spec.nodeName': 'n1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'web',
      'spec.hostNetwork': 'true',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.5',
      'status.nominatedNodeName': '',
    });
  });

  it('hostNetwork defaults to "false" and an unscheduled pod has an empty nodeName', () => {
    const f = fieldGetter('', 'pods')({ metadata: { name: 'p', namespace: 'd' }, spec: {} });
    expect(f['spec.hostNetwork']).toBe('false');
    expect(f['spec.nodeName']).toBe('');
    expect(f['status.phase']).toBe('');
  });

  it('selects pods on a node that are not finished (kubectl describe node)', () => {
    const sel = compileFieldSelector('', 'pods', 'spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed');
    expect(sel.matches(pod)).toBe(true);
    expect(sel.matches({ ...pod, status: { phase: 'Failed' } })).toBe(false);
    expect(sel.matches({ ...pod, spec: { nodeName: 'n2' } })).toBe(false);
  });

  it('maps the old spec.host label to spec.nodeName', () => {
    const reqs = validateFieldSelector('', 'pods', parseFieldSelector('spec.host=n1'));
    expect(reqs).toEqual([{ field: 'spec.nodeName', operator: '=', value: 'n1' }]);
    expect(compileFieldSelector('', 'pods', 'spec.host=n1').matches(pod)).toBe(true);
  });

  it('refuses other fields with the real message', () => {
    expect(rejects('', 'pods', 'spec.containers=x')).toBe('field label not supported: spec.containers');
  });
});

describe('events', () => {
  const event: KubeObject = {
    metadata: { name: 'web-1.17', namespace: 'shop' },
    involvedObject: {
      kind: 'Pod',
      namespace: 'shop',
      name: 'web-1',
      uid: 'u1',
      apiVersion: 'v1',
      resourceVersion: '7',
      fieldPath: 'spec.containers{web}',
    },
    reason: 'Pulled',
    source: { component: 'kubelet' },
    reportingComponent: 'kubelet',
    type: 'Normal',
  };

  it('core/v1 events select on involvedObject.* (kubectl describe)', () => {
    const sel = compileFieldSelector(
      '',
      'events',
      'involvedObject.name=web-1,involvedObject.namespace=shop,involvedObject.kind=Pod,involvedObject.uid=u1',
    );
    expect(sel.matches(event)).toBe(true);
    expect(fieldGetter('', 'events')(event)).toMatchObject({
      source: 'kubelet',
      reason: 'Pulled',
      type: 'Normal',
      'involvedObject.fieldPath': 'spec.containers{web}',
    });
  });

  it('source falls back to reportingController', () => {
    const f = fieldGetter('', 'events')({ metadata: { name: 'e' }, reportingController: 'wharf-controller' });
    expect(f['source']).toBe('wharf-controller');
    expect(f['reportingComponent']).toBe('wharf-controller');
  });

  it('events.k8s.io selects on regarding.* and reportingController', () => {
    const v1: KubeObject = {
      metadata: { name: 'e', namespace: 'shop' },
      regarding: { kind: 'Pod', name: 'web-1' },
      reportingController: 'kubelet',
      reason: 'Pulled',
      type: 'Normal',
    };
    expect(
      compileFieldSelector('events.k8s.io', 'events', 'regarding.name=web-1,reportingController=kubelet').matches(v1),
    ).toBe(true);
    // a core-shaped stored event answers the same fields
    expect(
      compileFieldSelector('events.k8s.io', 'events', 'regarding.name=web-1,regarding.kind=Pod').matches(event),
    ).toBe(true);
    expect(rejects('events.k8s.io', 'events', 'involvedObject.name=x')).toBe(
      'field label not supported: involvedObject.name',
    );
  });
});

describe('other kinds', () => {
  it('nodes: spec.unschedulable, and no metadata.namespace', () => {
    const get = fieldGetter('', 'nodes');
    expect(get({ metadata: { name: 'n1' }, spec: { unschedulable: true } })).toEqual({
      'metadata.name': 'n1',
      'spec.unschedulable': 'true',
    });
    expect(get({ metadata: { name: 'n2' } })['spec.unschedulable']).toBe('false');
    expect(rejects('', 'nodes', 'metadata.namespace=x')).toBe('field label not supported: metadata.namespace');
  });

  it('secrets by type', () => {
    const sel = compileFieldSelector('', 'secrets', 'type=kubernetes.io/tls');
    expect(sel.matches({ metadata: { name: 's' }, type: 'kubernetes.io/tls' })).toBe(true);
    expect(sel.matches({ metadata: { name: 's' }, type: 'Opaque' })).toBe(false);
  });

  it('namespaces by status.phase', () => {
    expect(
      compileFieldSelector('', 'namespaces', 'status.phase=Active').matches({
        metadata: { name: 'a' },
        status: { phase: 'Active' },
      }),
    ).toBe(true);
    expect(rejects('', 'namespaces', 'metadata.namespace=a')).toBe('field label not supported: metadata.namespace');
  });

  it('services by spec.type and spec.clusterIP', () => {
    const svc = { metadata: { name: 's', namespace: 'd' }, spec: { type: 'NodePort', clusterIP: '10.96.0.10' } };
    expect(compileFieldSelector('', 'services', 'spec.type=NodePort,spec.clusterIP=10.96.0.10').matches(svc)).toBe(
      true,
    );
  });

  it('replicationcontrollers by status.replicas, printed as a number', () => {
    const rc = { metadata: { name: 'r', namespace: 'd' }, status: { replicas: 3 } };
    expect(compileFieldSelector('', 'replicationcontrollers', 'status.replicas=3').matches(rc)).toBe(true);
    expect(
      compileFieldSelector('', 'replicationcontrollers', 'status.replicas=0').matches({ metadata: { name: 'r' } }),
    ).toBe(true);
  });

  it('jobs by status.successful (from status.succeeded), with the batch wording', () => {
    expect(
      compileFieldSelector('batch', 'jobs', 'status.successful=1').matches({
        metadata: { name: 'j' },
        status: { succeeded: 1 },
      }),
    ).toBe(true);
    expect(rejects('batch', 'jobs', 'spec.x=1')).toBe('field label "spec.x" not supported for batchv1.Job');
  });

  it('replicasets refuse status.replicas as apps/v1 does, though the getter offers it', () => {
    expect(rejects('apps', 'replicasets', 'status.replicas=0')).toBe(
      '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    expect(
      fieldGetter('apps', 'replicasets')({ metadata: { name: 'r', namespace: 'd' }, status: { replicas: 2 } })[
        'status.replicas'
      ],
    ).toBe('2');
  });

  it('kinds without their own conversion allow metadata.name and metadata.namespace only', () => {
    expect(supportedFieldLabels('apps', 'deployments')).toEqual(['metadata.name', 'metadata.namespace']);
    expect(
      compileFieldSelector('apps', 'deployments', 'metadata.name=web').matches({
        metadata: { name: 'web', namespace: 'd' },
      }),
    ).toBe(true);
    expect(rejects('', 'configmaps', 'data.x=1')).toBe(
      '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
  });

  it('cluster-scoped built-ins have no metadata.namespace value', () => {
    const f = fieldGetter('storage.k8s.io', 'storageclasses')({ metadata: { name: 'standard' } });
    expect(f).toEqual({ 'metadata.name': 'standard' });
  });
});

describe('custom resources', () => {
  const widget = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'd' },
    spec: { color: 'red', size: 3, enabled: false },
  };

  it('metadata.name and metadata.namespace for namespaced kinds', () => {
    expect(compileFieldSelector('example.com', 'widgets', 'metadata.namespace=d').matches(widget)).toBe(true);
    expect(rejects('example.com', 'widgets', 'spec.color=red')).toBe('field label not supported: spec.color');
  });

  it('no metadata.namespace for cluster-scoped kinds', () => {
    expect(() => compileFieldSelector('example.com', 'gadgets', 'metadata.namespace=d', { namespaced: false })).toThrow(
      'field label not supported: metadata.namespace',
    );
  });

  it('the CRD selectableFields, with numbers and booleans printed', () => {
    const opts = { selectableFields: ['.spec.color', '.spec.size', '.spec.enabled'] };
    expect(
      compileFieldSelector('example.com', 'widgets', 'spec.color=red,spec.size=3,spec.enabled=false', opts).matches(
        widget,
      ),
    ).toBe(true);
    expect(supportedFieldLabels('example.com', 'widgets', opts)).toContain('spec.size');
  });
});

describe('compileFieldSelector', () => {
  it('an empty selector matches every object', () => {
    const sel = compileFieldSelector('', 'pods', '');
    expect(sel.empty).toBe(true);
    expect(sel.matches({})).toBe(true);
  });

  it('reports the first unsupported field in sorted order', () => {
    expect(() => compileFieldSelector('', 'pods', 'z.field=1,a.field=2')).toThrow('field label not supported: a.field');
  });
});
