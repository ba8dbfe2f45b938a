// Pod spec checks a user commonly trips over: containers (name, image, ports, env, mounts,
// resources), volumes, restart and DNS policies; and which pod fields an update may change.
import { isRecord, quantityValue } from '@wharf/api';
import {
  duplicate,
  forbidden,
  invalid,
  notFound,
  notSupported,
  required,
  type FieldIssue,
  type FieldPath,
} from '../../validation/issues.js';
import { isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum } from '../../validation/names.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Validates a PodSpec found at `path` (spec, or spec.template.spec). */
export function validatePodSpec(spec: unknown, path: FieldPath): FieldIssue[] {
  const s = rec(spec);
  const errs: FieldIssue[] = [];
  const volumes = validateVolumes(s.volumes, path.child('volumes'), errs);
  const containers = list(s.containers);
  if (containers.length === 0) errs.push(required(path.child('containers')));
  const names = new Set<string>();
  for (const field of ['initContainers', 'containers'] as const) {
    list(s[field]).forEach((c, i) => validateContainer(rec(c), path.child(field).index(i), volumes, names, errs));
  }
  if (s.restartPolicy !== undefined && !RESTART_POLICIES.includes(str(s.restartPolicy))) {
    errs.push(
      s.restartPolicy === ''
        ? required(path.child('restartPolicy'))
        : notSupported(path.child('restartPolicy'), s.restartPolicy, RESTART_POLICIES),
    );
  }
  if (s.dnsPolicy !== undefined && !DNS_POLICIES.includes(str(s.dnsPolicy))) {
    errs.push(
      s.dnsPolicy === ''
        ? required(path.child('dnsPolicy'))
        : notSupported(path.child('dnsPolicy'), s.dnsPolicy, DNS_POLICIES),
    );
  }
  for (const f of ['activeDeadlineSeconds'] as const) {
    if (typeof s[f] === 'number' && s[f] <= 0)
      errs.push(invalid(path.child(f), s[f], 'must be between 1 and 2147483647, inclusive'));
  }
  if (typeof s.terminationGracePeriodSeconds === 'number' && s.terminationGracePeriodSeconds < 0) {
    errs.push(
      invalid(
        path.child('terminationGracePeriodSeconds'),
        s.terminationGracePeriodSeconds,
        'must be greater than or equal to 0',
      ),
    );
  }
  return errs;
}

/** Volume name → volume, for the mounts' checks. */
type Volumes = Map<string, Obj>;

function validateVolumes(raw: unknown, path: FieldPath, errs: FieldIssue[]): Volumes {
  const names: Volumes = new Map();
  list(raw).forEach((v, i) => {
    const vol = rec(v);
    const at = path.index(i);
    const name = str(vol.name);
    if (!name) errs.push(required(at.child('name')));
    else for (const msg of isDNS1123Label(name)) errs.push(invalid(at.child('name'), name, msg));
    if (name && names.has(name)) errs.push(duplicate(at.child('name'), name));
    if (name) names.set(name, vol);
    if (vol.image !== undefined && vol.image !== null) validateImageSource(rec(vol.image), at.child('image'), errs);
    const sources = Object.keys(vol).filter((k) => k !== 'name' && vol[k] !== null && vol[k] !== undefined);
    if (sources.length === 0) errs.push(required(at, 'must specify a volume type'));
    for (const extra of sources.slice(1))
      errs.push(forbidden(at.child(extra), 'may not specify more than 1 volume type'));
  });
  return names;
}

/** An image volume (1.31+): the reference is required, the pull policy one of the container's. */
function validateImageSource(image: Obj, at: FieldPath, errs: FieldIssue[]): void {
  const reference = str(image.reference);
  if (!reference) errs.push(required(at.child('reference')));
  else if (reference.trim() !== reference)
    errs.push(invalid(at.child('reference'), reference, 'must not have leading or trailing whitespace'));
  if (image.pullPolicy !== undefined && !PULL_POLICIES.includes(str(image.pullPolicy))) {
    errs.push(notSupported(at.child('pullPolicy'), image.pullPolicy, PULL_POLICIES));
  }
}

/**
 * Image volumes are always mounted read-only (the node shares one unpacked copy of the image), so
 * a mount that asks for write access is refused here rather than silently made read-only.
 */
function validateImageMount(mount: Obj, at: FieldPath, errs: FieldIssue[]): void {
  if (mount.readOnly === false)
    errs.push(invalid(at.child('readOnly'), false, 'image volumes are read-only: omit readOnly or set it to true'));
  if (mount.mountPropagation === 'Bidirectional')
    errs.push(
      invalid(
        at.child('mountPropagation'),
        mount.mountPropagation,
        'image volumes are read-only: Bidirectional propagation is not allowed',
      ),
    );
}

function validateContainer(c: Obj, at: FieldPath, volumes: Volumes, names: Set<string>, errs: FieldIssue[]): void {
  const name = str(c.name);
  if (!name) errs.push(required(at.child('name')));
  else {
    for (const msg of isDNS1123Label(name)) errs.push(invalid(at.child('name'), name, msg));
    if (names.has(name)) errs.push(duplicate(at.child('name'), name));
    names.add(name);
  }
  const image = str(c.image);
  if (!image) errs.push(required(at.child('image')));
  else if (image.trim() !== image)
    errs.push(invalid(at.child('image'), image, 'must not have leading or trailing whitespace'));
  if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(str(c.imagePullPolicy))) {
    errs.push(notSupported(at.child('imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  }
  validateContainerPorts(c.ports, at.child('ports'), errs);
  list(c.env).forEach((e, i) => {
    const envName = str(rec(e).name);
    if (!envName) errs.push(required(at.child('env').index(i).child('name')));
    else
      for (const msg of isEnvVarName(envName)) errs.push(invalid(at.child('env').index(i).child('name'), envName, msg));
  });
  const mountPaths = new Set<string>();
  list(c.volumeMounts).forEach((m, i) => {
    const mount = rec(m);
    const mAt = at.child('volumeMounts').index(i);
    const mName = str(mount.name);
    if (!mName) errs.push(required(mAt.child('name')));
    else if (!volumes.has(mName)) errs.push(notFound(mAt.child('name'), mName));
    else if (isRecord(volumes.get(mName)?.image)) validateImageMount(mount, mAt, errs);
    const mountPath = str(mount.mountPath);
    if (!mountPath) errs.push(required(mAt.child('mountPath')));
    else if (mountPaths.has(mountPath)) errs.push(invalid(mAt.child('mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
  });
  validateResources(c.resources, at.child('resources'), errs);
}

function validateContainerPorts(raw: unknown, path: FieldPath, errs: FieldIssue[]): void {
  const names = new Set<string>();
  list(raw).forEach((p, i) => {
    const port = rec(p);
    const at = path.index(i);
    const name = str(port.name);
    if (name) {
      for (const msg of isValidPortName(name)) errs.push(invalid(at.child('name'), name, msg));
      if (names.has(name)) errs.push(duplicate(at.child('name'), name));
      names.add(name);
    }
    if (port.containerPort === undefined || port.containerPort === 0) errs.push(required(at.child('containerPort')));
    else if (typeof port.containerPort === 'number') {
      for (const msg of isValidPortNum(port.containerPort))
        errs.push(invalid(at.child('containerPort'), port.containerPort, msg));
    }
    if (typeof port.hostPort === 'number' && port.hostPort !== 0) {
      for (const msg of isValidPortNum(port.hostPort)) errs.push(invalid(at.child('hostPort'), port.hostPort, msg));
    }
    if (port.protocol !== undefined && !PROTOCOLS.includes(str(port.protocol))) {
      errs.push(
        port.protocol === ''
          ? required(at.child('protocol'))
          : notSupported(at.child('protocol'), port.protocol, PROTOCOLS),
      );
    }
  });
}

/** Quantities must be non-negative and each request at most its limit. */
export function validateResources(raw: unknown, path: FieldPath, errs: FieldIssue[]): void {
  const res = rec(raw);
  const limits = rec(res.limits);
  const requests = rec(res.requests);
  for (const [field, m] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [k, v] of Object.entries(m)) {
      const q = quantityValue(v);
      if (q !== undefined && q < 0)
        errs.push(invalid(path.child(field).key(k), String(v), 'must be greater than or equal to 0'));
    }
  }
  for (const [k, v] of Object.entries(requests)) {
    const req = quantityValue(v);
    const lim = quantityValue(limits[k]);
    if (req !== undefined && lim !== undefined && req > lim) {
      errs.push(
        invalid(path.child('requests'), String(v), `must be less than or equal to ${k} limit of ${String(limits[k])}`),
      );
    }
  }
}

/**
 * Pod updates may change only images, activeDeadlineSeconds, tolerations (additions) and
 * terminationGracePeriodSeconds. Setting spec.nodeName when it was empty is let through so the
 * scheduler's binding can go through an update.
 */
export function validatePodSpecUpdate(spec: unknown, oldSpec: unknown, path: FieldPath): FieldIssue[] {
  const oldHadNode = Boolean(rec(oldSpec).nodeName);
  const mask = (s: unknown): Obj => {
    const copy = structuredClone(rec(s));
    for (const f of ['containers', 'initContainers'] as const) {
      if (Array.isArray(copy[f])) copy[f] = list(copy[f]).map((c) => ({ ...rec(c), image: undefined }));
    }
    delete copy.activeDeadlineSeconds;
    delete copy.tolerations;
    delete copy.ephemeralContainers; // the ephemeralcontainers subresource's (ephemeral.ts)
    delete copy.terminationGracePeriodSeconds;
    if (!oldHadNode) delete copy.nodeName;
    return copy;
  };
  if (stableJson(mask(spec)) === stableJson(mask(oldSpec))) return [];
  return [
    forbidden(
      path,
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    ),
  ];
}

/** JSON with sorted keys and undefined dropped, for structural equality. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isRecord(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  );
}
