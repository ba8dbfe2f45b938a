// Core-group kinds besides pods: Service ports and types, ConfigMap and Secret keys and sizes,
// Secret types, Namespace finalizers, PersistentVolumeClaim; and their update rules.
import { isRecord, quantityValue } from '@wharf/api';
import {
  FieldPath,
  duplicate,
  forbidden,
  immutable,
  invalid,
  notSupported,
  required,
  tooLong,
  type FieldIssue,
} from './issues.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
} from './names.js';
import { validateLabels } from './metadata.js';
import { PROTOCOLS, stableJson } from '../kinds/pod/validation.js';

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const spec = FieldPath.root('spec');

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const MAX_SECRET_SIZE = 1024 * 1024;

export function validateService(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  const type = s.type === undefined ? 'ClusterIP' : str(s.type);
  const headless = s.clusterIP === 'None';
  const ports = list(s.ports);
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required(spec.child('ports')));
  if (s.type !== undefined && !SERVICE_TYPES.includes(type)) {
    errs.push(type === '' ? required(spec.child('type')) : notSupported(spec.child('type'), s.type, SERVICE_TYPES));
  }
  if (type === 'ExternalName') {
    if (list(s.clusterIPs).length > 0)
      errs.push(forbidden(spec.child('clusterIPs'), 'may not be set for ExternalName services'));
    const cname = str(s.externalName).replace(/\.$/, '');
    if (!cname) errs.push(required(spec.child('externalName')));
    else for (const msg of isDNS1123Subdomain(cname)) errs.push(invalid(spec.child('externalName'), cname, msg));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const port = rec(p);
    const at = spec.child('ports').index(i);
    const name = str(port.name);
    if (ports.length > 1 && !name) errs.push(required(at.child('name')));
    else if (name) {
      for (const msg of isDNS1123Label(name)) errs.push(invalid(at.child('name'), name, msg));
      if (names.has(name)) errs.push(duplicate(at.child('name'), name));
      names.add(name);
    }
    if (typeof port.port === 'number' || port.port === undefined) {
      for (const msg of isValidPortNum(typeof port.port === 'number' ? port.port : 0))
        errs.push(invalid(at.child('port'), port.port ?? 0, msg));
    }
    if (port.protocol !== undefined && !PROTOCOLS.includes(str(port.protocol))) {
      errs.push(
        port.protocol === ''
          ? required(at.child('protocol'))
          : notSupported(at.child('protocol'), port.protocol, PROTOCOLS),
      );
    }
    const tp = port.targetPort;
    if (typeof tp === 'number')
      for (const msg of isValidPortNum(tp)) errs.push(invalid(at.child('targetPort'), tp, msg));
    if (typeof tp === 'string')
      for (const msg of isValidPortName(tp)) errs.push(invalid(at.child('targetPort'), tp, msg));
    if (type === 'ClusterIP' && typeof port.nodePort === 'number' && port.nodePort !== 0) {
      errs.push(forbidden(at.child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    }
    const protocol = str(port.protocol) || 'TCP';
    const key = `${protocol}/${String(port.port)}`;
    if (seen.has(key)) {
      errs.push({
        reason: 'FieldValueDuplicate',
        field: at.toString(),
        message: `Duplicate value: core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${String(port.port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
      });
    }
    seen.add(key);
  });
  errs.push(...validateLabels(s.selector, spec.child('selector')));
  if (s.sessionAffinity !== undefined && s.sessionAffinity !== 'ClientIP' && s.sessionAffinity !== 'None') {
    errs.push(notSupported(spec.child('sessionAffinity'), s.sessionAffinity, ['ClientIP', 'None']));
  }
  return errs;
}

export function validateServiceUpdate(obj: Obj, old: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const o = rec(old.spec);
  // An update that leaves clusterIP out keeps the allocated one (the REST layer copies it back).
  if (o.type === 'ExternalName' || s.type === 'ExternalName') return [];
  if (
    typeof o.clusterIP === 'string' &&
    o.clusterIP &&
    s.clusterIP !== undefined &&
    s.clusterIP !== '' &&
    s.clusterIP !== o.clusterIP
  ) {
    return [immutable(spec.child('clusterIP'), s.clusterIP)];
  }
  return [];
}

function validateDataKeys(data: Obj, path: FieldPath, errs: FieldIssue[]): number {
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(invalid(path.key(k), k, msg));
    size += typeof v === 'string' ? v.length : 0;
  }
  return size;
}

export function validateConfigMap(obj: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const data = rec(obj.data);
  const binary = rec(obj.binaryData);
  let size = validateDataKeys(data, FieldPath.root('data'), errs);
  for (const [k, v] of Object.entries(binary)) {
    for (const msg of isConfigMapKey(k)) errs.push(invalid(FieldPath.root('binaryData').key(k), k, msg));
    if (k in data) errs.push(invalid(FieldPath.root('binaryData').key(k), k, 'duplicate of key present in data'));
    size += typeof v === 'string' ? Math.floor((v.length * 3) / 4) : 0;
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

/** Secret data keys, size and the keys each well-known type requires. stringData counts as data. */
export function validateSecret(obj: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  const dataPath = FieldPath.root('data');
  const data: Obj = { ...rec(obj.data), ...rec(obj.stringData) };
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(invalid(dataPath.key(k), k, msg));
    size += typeof v === 'string' ? v.length : 0;
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong(dataPath, MAX_SECRET_SIZE));
  const has = (k: string): boolean => typeof data[k] === 'string' && data[k] !== '';
  const needs = (...keys: string[]): void => {
    for (const k of keys) if (!has(k)) errs.push(required(dataPath.key(k)));
  };
  switch (obj.type) {
    case 'kubernetes.io/service-account-token': {
      const annotations = rec(rec(obj.metadata).annotations);
      if (!str(annotations['kubernetes.io/service-account.name'])) {
        errs.push(required(FieldPath.root('metadata').child('annotations').key('kubernetes.io/service-account.name')));
      }
      break;
    }
    case 'kubernetes.io/dockercfg':
      needs('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      needs('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) needs('username', 'password');
      break;
    case 'kubernetes.io/ssh-auth':
      needs('ssh-privatekey');
      break;
    case 'kubernetes.io/tls':
      needs('tls.crt', 'tls.key');
      break;
  }
  return errs;
}

/** `immutable: true` freezes data (and binaryData); the flag itself cannot be cleared. */
export function validateImmutableDataUpdate(kind: 'Secret' | 'ConfigMap', obj: Obj, old: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  if (kind === 'Secret' && (obj.type ?? 'Opaque') !== (old.type ?? 'Opaque'))
    errs.push(immutable('type', obj.type ?? ''));
  if (old.immutable !== true) return errs;
  const msg = 'field is immutable when `immutable` is set';
  if (obj.immutable !== true) errs.push(forbidden('immutable', msg));
  const fields = kind === 'Secret' ? ['data'] : ['data', 'binaryData'];
  for (const f of fields) if (stableJson(obj[f] ?? {}) !== stableJson(old[f] ?? {})) errs.push(forbidden(f, msg));
  return errs;
}

export function validateNamespace(obj: Obj): FieldIssue[] {
  const errs: FieldIssue[] = [];
  list(rec(obj.spec).finalizers).forEach((f) => {
    if (typeof f !== 'string') return;
    for (const msg of isQualifiedName(f)) errs.push(invalid(spec.child('finalizers'), f, msg));
    if (!f.includes('/') && f !== 'kubernetes') {
      errs.push(
        invalid(spec.child('finalizers'), f, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
  });
  return errs;
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

export function validatePersistentVolumeClaim(obj: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const errs: FieldIssue[] = [];
  const modes = list(s.accessModes);
  if (modes.length === 0) errs.push(required(spec.child('accessModes'), 'at least 1 access mode is required'));
  for (const m of modes)
    if (!ACCESS_MODES.includes(str(m))) errs.push(notSupported(spec.child('accessModes'), m, ACCESS_MODES));
  const requests = rec(rec(s.resources).requests);
  const storage = requests.storage;
  if (storage === undefined) errs.push(required(spec.child('resources').key('storage')));
  else {
    const q = quantityValue(storage);
    if (q !== undefined && q <= 0)
      errs.push(invalid(spec.child('resources').key('storage'), String(storage), 'must be greater than zero'));
  }
  return errs;
}

/** A bound claim's spec is frozen except resources.requests (growth only) and volumeName once. */
export function validatePersistentVolumeClaimUpdate(obj: Obj, old: Obj): FieldIssue[] {
  const s = rec(obj.spec);
  const o = rec(old.spec);
  const errs: FieldIssue[] = [];
  const strip = (x: Obj, volumeName: unknown): string =>
    stableJson({
      ...x,
      resources: { ...rec(x.resources), requests: undefined },
      volumeName,
      volumeAttributesClassName: undefined,
    });
  const volumeName = o.volumeName ? s.volumeName : undefined;
  if (strip(s, volumeName) !== strip(o, o.volumeName ? o.volumeName : undefined)) {
    errs.push(
      forbidden(
        spec,
        'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
      ),
    );
  }
  const now = quantityValue(rec(rec(s.resources).requests).storage);
  const before = quantityValue(rec(rec(o.resources).requests).storage);
  if (now !== undefined && before !== undefined && now < before) {
    errs.push(forbidden(spec.child('resources', 'requests', 'storage'), 'field can not be less than previous value'));
  }
  return errs;
}
