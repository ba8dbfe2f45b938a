// Printers for apps/v1: deployments, replicasets, statefulsets, daemonsets and controller
// revisions. Cells follow k8s.io/kubernetes/pkg/printers/internalversion (1.32). Missing
// spec.replicas reads as 1, the API default.

import { parseApiVersion } from '@wharf/api';
import type { KubeObject } from '@wharf/api';
import {
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  NAME_COLUMN,
  ageOf,
  col,
  nameOf,
  wide,
} from '../../tables/columns.js';
import type { Printer } from '../../tables/columns.js';
import { DESC } from '../../tables/descriptions.js';
import { containerCells, formatLabelSelector, formatLabels, get, num, selectorString } from '../../tables/format.js';

function templateContainers(obj: KubeObject): [string, string] {
  return containerCells(get(obj, 'spec', 'template', 'spec'));
}

export const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', DESC.deployUpdated),
    col('Available', 'string', DESC.deployAvailable),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wide('Selector', 'string', DESC.deploySelector),
  ],
  cells(d, ctx) {
    const [names, images] = templateContainers(d);
    return [
      nameOf(d),
      `${num(get(d, 'status', 'readyReplicas'))}/${num(get(d, 'spec', 'replicas'), 1)}`,
      num(get(d, 'status', 'updatedReplicas')),
      num(get(d, 'status', 'availableReplicas')),
      ageOf(d, ctx),
      names,
      images,
      selectorString(get(d, 'spec', 'selector')),
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', DESC.rsSpecReplicas),
    col('Current', 'integer', DESC.rsStatusReplicas),
    col('Ready', 'integer', DESC.rsReadyReplicas),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wide('Selector', 'string', DESC.rsSelector),
  ],
  cells(rs, ctx) {
    const [names, images] = templateContainers(rs);
    return [
      nameOf(rs),
      num(get(rs, 'spec', 'replicas'), 1),
      num(get(rs, 'status', 'replicas')),
      num(get(rs, 'status', 'readyReplicas')),
      ageOf(rs, ctx),
      names,
      images,
      formatLabelSelector(get(rs, 'spec', 'selector')),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
  ],
  cells(sts, ctx) {
    const [names, images] = templateContainers(sts);
    const ready = `${num(get(sts, 'status', 'readyReplicas'))}/${num(get(sts, 'spec', 'replicas'), 1)}`;
    return [nameOf(sts), ready, ageOf(sts, ctx), names, images];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', DESC.dsDesired),
    col('Current', 'integer', DESC.dsCurrent),
    col('Ready', 'integer', DESC.dsReady),
    col('Up-to-date', 'integer', DESC.dsUpdated),
    col('Available', 'integer', DESC.dsAvailable),
    col('Node Selector', 'string', DESC.nodeSelector),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    wide('Selector', 'string', DESC.dsSelector),
  ],
  cells(ds, ctx) {
    const [names, images] = templateContainers(ds);
    const status = get(ds, 'status');
    return [
      nameOf(ds),
      num(get(status, 'desiredNumberScheduled')),
      num(get(status, 'currentNumberScheduled')),
      num(get(status, 'numberReady')),
      num(get(status, 'updatedNumberScheduled')),
      num(get(status, 'numberAvailable')),
      formatLabels(get(ds, 'spec', 'template', 'spec', 'nodeSelector')),
      ageOf(ds, ctx),
      names,
      images,
      formatLabelSelector(get(ds, 'spec', 'selector')),
    ];
  },
};

/** "statefulset.apps/web" for the controlling owner, "<none>" without one. */
export function controllerName(obj: KubeObject): string {
  const owner = obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
  if (owner === undefined) return '<none>';
  const { group } = parseApiVersion(owner.apiVersion);
  if (owner.kind === '' && group === '') return owner.name;
  const groupKind = group === '' ? owner.kind : `${owner.kind}.${group}`;
  return `${groupKind.toLowerCase()}/${owner.name}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', DESC.revision),
    AGE_COLUMN,
  ],
  cells: (cr, ctx) => [nameOf(cr), controllerName(cr), num(get(cr, 'revision')), ageOf(cr, ctx)],
};
