import { describe, expect, it } from 'vitest';
import { manifestObjects } from './manifests.js';

describe('manifestObjects', () => {
  it('answers the create path of each document, namespaced or not', () => {
    const objs = manifestObjects(`
apiVersion: v1
kind: ServiceAccount
metadata: {name: a, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: r}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d, namespace: kube-system}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: s, namespace: wharf-monitoring}
`);
    expect(objs.map((o) => o.path)).toEqual([
      '/api/v1/namespaces/kube-system/serviceaccounts',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      '/apis/apps/v1/namespaces/kube-system/daemonsets',
      '/apis/monitoring.coreos.com/v1/namespaces/wharf-monitoring/servicemonitors',
    ]);
    expect(objs[2]?.body).toMatchObject({ kind: 'DaemonSet', metadata: { name: 'd' } });
  });

  it('names the file and the document it cannot place', () => {
    expect(() => manifestObjects('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n', 'x.yaml')).toThrow(
      'x.yaml: Pod p has no namespace',
    );
    expect(() => manifestObjects('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n', 'x.yaml')).toThrow(
      'x.yaml: example.com/v1/Widget is not a built-in or monitoring kind',
    );
  });
});
