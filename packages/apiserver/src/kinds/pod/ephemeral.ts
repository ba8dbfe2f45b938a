// Ephemeral containers (kubectl debug): added to a running pod through the ephemeralcontainers
// subresource, never changed or removed once there, and without the fields a one-off debugging
// container cannot have (ports, probes, lifecycle hooks, resources), as ValidatePodEphemeralContainersUpdate.
import { isRecord } from '@wharf/api';
import {
  duplicate,
  forbidden,
  invalid,
  notFound,
  required,
  type FieldIssue,
  type FieldPath,
} from '../../validation/issues.js';
import { isDNS1123Label } from '../../validation/names.js';
import { stableJson } from './validation.js';

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const DISALLOWED = [
  'ports',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'resizePolicy',
  'restartPolicy',
] as const;

export function validateEphemeralContainersUpdate(spec: unknown, oldSpec: unknown, path: FieldPath): FieldIssue[] {
  const s = isRecord(spec) ? spec : {};
  const o = isRecord(oldSpec) ? oldSpec : {};
  const now = list(s.ephemeralContainers);
  const before = list(o.ephemeralContainers);
  const errs: FieldIssue[] = [];
  for (const old of before) {
    const same = now.find((c) => c.name === old.name);
    if (!same) errs.push(forbidden(path, `existing ephemeral containers "${String(old.name)}" may not be removed`));
    else if (stableJson(same) !== stableJson(old))
      errs.push(forbidden(path, `existing ephemeral containers "${String(old.name)}" may not be changed`));
  }
  const regular = [...list(s.containers), ...list(s.initContainers)];
  const names = new Set(regular.map((c) => String(c.name ?? '')));
  now.forEach((c, i) => {
    const at = path.index(i);
    const name = typeof c.name === 'string' ? c.name : '';
    if (!name) errs.push(required(at.child('name')));
    else if (isDNS1123Label(name).length) errs.push(invalid(at.child('name'), name, isDNS1123Label(name).join(', ')));
    else if (names.has(name)) errs.push(duplicate(at.child('name'), name));
    names.add(name);
    if (before.some((b) => b.name === name)) return; // unchanged ones were checked above
    if (!c.image) errs.push(required(at.child('image')));
    for (const f of DISALLOWED)
      if (c[f] !== undefined) errs.push(forbidden(at.child(f), 'cannot be set for an Ephemeral Container'));
    const res = isRecord(c.resources) ? c.resources : {};
    if (Object.keys(res).some((k) => isRecord(res[k]) && Object.keys(res[k] as Obj).length))
      errs.push(forbidden(at.child('resources'), 'cannot be set for an Ephemeral Container'));
    const target = c.targetContainerName;
    if (typeof target === 'string' && target && !regular.some((r) => r.name === target))
      errs.push(notFound(at.child('targetContainerName'), target));
  });
  return errs;
}
