// The Kubernetes objects of one revision of an Application: a Deployment per component and
// revision (`APP-COMPONENT-rN`, its pod template fixed for the revision's life, so a controller
// restart rebuilds the same template and restarts nothing), and per component a Service and,
// when exposed, an Ingress on the built-in gateway. Artifacts (N) are image volumes mounted with
// subPath, or copied by init containers into emptyDirs; config and secrets come from the
// revision's pinned immutable ConfigMaps and snapshot Secrets, or from the mutable mirror of an
// `inPlace` reference.
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1EnvFromSource,
  V1EnvVar,
  V1Ingress,
  V1PodSpec,
  V1Probe,
  V1Service,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { hashOf } from '../common/hash.js';
import { appLabels, componentSelector, SERVING } from '../common/labels.js';
import {
  type Application,
  type ApplicationRevision,
  type ArtifactDelivery,
  type Component,
  type ConfigRef,
  LABELS,
  type SecretRef,
} from '../types.js';

/** Annotation holding the hash of what the platform last wrote, so unchanged objects are not written. */
export const TEMPLATE_HASH = 'platform.wharf.dev/template-hash';

export const deploymentName = (app: string, component: string, revision: number): string =>
  `${app}-${component}-r${revision}`;
export const serviceName = (app: string, component: string): string => `${app}-${component}`;
/** The mutable mirror of an `inPlace` ConfigSet reference: its files change in running pods. */
export const mirrorName = (app: string, configSet: string): string => `${app}-${configSet}-live`;
/** Label on a mirror ConfigMap: the ConfigSet it mirrors. */
export const MIRROR_OF = 'platform.wharf.dev/mirror-of';

const ARTIFACT_STAGING = '/wharf-artifact';

/** A label value from a free-form version (at most 63 characters of [A-Za-z0-9._-]). */
const labelValue = (v: string): string =>
  v
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');

export const versionOf = (app: Application, revision: ApplicationRevision): string =>
  labelValue(revision.spec.template.version ?? `r${revision.spec.revision}`) || `r${revision.spec.revision}`;

function ownerRef(app: Application): NonNullable<V1Deployment['metadata']>['ownerReferences'] {
  return [
    {
      apiVersion: app.apiVersion ?? '',
      kind: 'Application',
      name: app.metadata?.name ?? '',
      uid: app.metadata?.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

const envName = (prefix: string | undefined, key: string): string => `${prefix ?? ''}${key}`;

/** Env vars and envFrom of the config and secret references read as env (or args). */
function envOf(c: Component, rev: ApplicationRevision): { env: V1EnvVar[]; envFrom: V1EnvFromSource[] } {
  const env: V1EnvVar[] = [...(c.env ?? [])];
  const envFrom: V1EnvFromSource[] = [];
  for (const ref of c.config ?? []) {
    if (ref.as === 'file') continue;
    const pin = rev.spec.config.find((p) => p.configSet === ref.configSet);
    if (!pin) continue;
    if (ref.keys?.length)
      for (const key of ref.keys)
        env.push({ name: envName(ref.prefix, key), valueFrom: { configMapKeyRef: { name: pin.configMap, key } } });
    else envFrom.push({ configMapRef: { name: pin.configMap }, ...(ref.prefix ? { prefix: ref.prefix } : {}) });
  }
  for (const ref of c.secrets ?? []) {
    if (ref.as !== 'env') continue;
    const pin = rev.spec.secrets.find((p) => p.secret === ref.secret);
    if (!pin) continue;
    if (ref.keys?.length)
      for (const key of ref.keys)
        env.push({ name: envName(ref.prefix, key), valueFrom: { secretKeyRef: { name: pin.snapshot, key } } });
    else envFrom.push({ secretRef: { name: pin.snapshot }, ...(ref.prefix ? { prefix: ref.prefix } : {}) });
  }
  return { env, envFrom };
}

/** Volumes and mounts of the config and secret references read as files. */
function fileVolumes(
  app: string,
  c: Component,
  rev: ApplicationRevision,
): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  const items = (ref: ConfigRef | SecretRef): { items?: { key: string; path: string }[] } =>
    ref.keys?.length ? { items: ref.keys.map((k) => ({ key: k, path: k })) } : {};
  (c.config ?? []).forEach((ref, i) => {
    if (ref.as !== 'file' || !ref.mountPath) return;
    const name = `config-${i}`;
    const source =
      ref.update === 'inPlace'
        ? mirrorName(app, ref.configSet)
        : rev.spec.config.find((p) => p.configSet === ref.configSet)?.configMap;
    if (!source) return;
    volumes.push({ name, configMap: { name: source, ...items(ref) } });
    // A whole directory, never subPath: the kubelet swaps it atomically when the mirror changes.
    mounts.push({ name, mountPath: ref.mountPath, readOnly: true });
  });
  (c.secrets ?? []).forEach((ref, i) => {
    if (ref.as !== 'file' || !ref.mountPath) return;
    const pin = rev.spec.secrets.find((p) => p.secret === ref.secret);
    if (!pin) return;
    const name = `secret-${i}`;
    volumes.push({ name, secret: { secretName: pin.snapshot, ...items(ref) } });
    mounts.push({ name, mountPath: ref.mountPath, readOnly: true });
  });
  return { volumes, mounts };
}

/**
 * The image to run for a component's runtime or artifact: pinned by the digest the revision
 * recorded (a rollback copies the digests its revision ran), so a tag moved since runs nothing new.
 */
export function pinnedImage(rev: ApplicationRevision, component: string, role: string, image: string): string {
  const digest = rev.spec.images.find((p) => p.component === component && p.role === role && p.image === image)?.digest;
  return digest ? `${image.replace(/@sha256:[0-9a-f]{64}$/, '')}@${digest}` : image;
}

/** The artifacts (N) as image volumes, or as init containers copying into emptyDirs. */
function artifactVolumes(
  c: Component,
  rev: ApplicationRevision,
  delivery: ArtifactDelivery,
): { volumes: V1Volume[]; mounts: V1VolumeMount[]; init: V1Container[] } {
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  const init: V1Container[] = [];
  (c.artifacts ?? []).forEach((a, i) => {
    const name = a.name ?? `artifact-${i}`;
    const pullPolicy = a.pullPolicy ?? 'IfNotPresent';
    const image = pinnedImage(rev, c.name, name, a.image);
    if (delivery === 'imageVolume') {
      volumes.push({ name, image: { reference: image, pullPolicy } } as V1Volume);
      const sub = a.path.replace(/^\/+|\/+$/g, '');
      mounts.push({ name, mountPath: a.mountPath, readOnly: true, ...(sub ? { subPath: sub } : {}) });
    } else {
      volumes.push({ name, emptyDir: {} });
      init.push({
        name: `copy-${name}`,
        image,
        imagePullPolicy: pullPolicy,
        command: ['cp', '-a', `${a.path.replace(/\/+$/, '')}/.`, `${ARTIFACT_STAGING}/`],
        volumeMounts: [{ name, mountPath: ARTIFACT_STAGING }],
      });
      // Writable: a config directory may be mounted inside it (runc creates its mount point there).
      mounts.push({ name, mountPath: a.mountPath });
    }
  });
  return { volumes, mounts, init };
}

/** The readiness probe: the component's, or a TCP check on its first port. */
function readiness(c: Component): V1Probe | undefined {
  if (c.probes?.readiness) return c.probes.readiness;
  const port = c.ports?.[0]?.port;
  return port
    ? { tcpSocket: { port: port as never }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3 }
    : undefined;
}

export interface DeploymentInputs {
  readonly delivery: ArtifactDelivery;
  readonly replicas: number;
}

export function desiredDeployment(
  app: Application,
  rev: ApplicationRevision,
  c: Component,
  opts: DeploymentInputs,
): V1Deployment {
  const appName = app.metadata?.name ?? '';
  const n = rev.spec.revision;
  const labels = appLabels(appName, c.name, versionOf(app, rev));
  const selector = { ...componentSelector(appName, c.name), [LABELS.revision]: String(n) };
  const { env, envFrom } = envOf(c, rev);
  const files = fileVolumes(appName, c, rev);
  const art = artifactVolumes(c, rev, opts.delivery);
  const probe = readiness(c);
  const container: V1Container = {
    name: c.name,
    image: pinnedImage(rev, c.name, 'runtime', c.runtime.image),
    imagePullPolicy: c.runtime.pullPolicy ?? 'IfNotPresent',
    ...(c.runtime.command ? { command: c.runtime.command } : {}),
    ...(c.runtime.args ? { args: c.runtime.args } : {}),
    ...(c.runtime.workingDir ? { workingDir: c.runtime.workingDir } : {}),
    ...(c.ports?.length
      ? {
          ports: c.ports.map((p) => ({
            containerPort: p.port,
            protocol: p.protocol ?? 'TCP',
            ...(p.name ? { name: p.name } : {}),
          })),
        }
      : {}),
    ...(env.length ? { env } : {}),
    ...(envFrom.length ? { envFrom } : {}),
    ...(c.resources ? { resources: c.resources } : {}),
    ...(probe ? { readinessProbe: probe } : {}),
    ...(c.probes?.liveness ? { livenessProbe: c.probes.liveness } : {}),
    ...(c.probes?.startup ? { startupProbe: c.probes.startup } : {}),
    volumeMounts: [...art.mounts, ...files.mounts],
  };
  const podSpec: V1PodSpec = {
    ...(art.init.length ? { initContainers: art.init } : {}),
    containers: [container],
    volumes: [...art.volumes, ...files.volumes],
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 10,
  };
  const template = { metadata: { labels: { ...labels, ...selector, [SERVING]: 'true' } }, spec: podSpec };
  const spec = {
    selector: { matchLabels: selector },
    template,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    revisionHistoryLimit: 1,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(appName, c.name, n),
      namespace: app.metadata?.namespace,
      labels: { ...labels, [LABELS.revision]: String(n) },
      annotations: { [TEMPLATE_HASH]: hashOf(spec, 16) },
      ownerReferences: ownerRef(app),
    },
    spec: { ...spec, replicas: opts.replicas } as V1Deployment['spec'],
  };
}

export function desiredService(app: Application, c: Component, version: string): V1Service | undefined {
  if (!c.ports?.length) return undefined;
  const appName = app.metadata?.name ?? '';
  const spec = {
    selector: { ...componentSelector(appName, c.name), [SERVING]: 'true' },
    ports: c.ports.map((p, i) => ({
      name: p.name ?? `port-${i}`,
      port: p.port,
      targetPort: p.port,
      protocol: p.protocol ?? 'TCP',
    })),
  };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName(appName, c.name),
      namespace: app.metadata?.namespace,
      labels: appLabels(appName, c.name, version),
      annotations: { [TEMPLATE_HASH]: hashOf(spec, 16) },
      ownerReferences: ownerRef(app),
    },
    spec: spec as V1Service['spec'],
  };
}

export function desiredIngress(app: Application, c: Component, version: string): V1Ingress | undefined {
  if (!c.expose || !c.ports?.length) return undefined;
  const appName = app.metadata?.name ?? '';
  const want = c.expose.port;
  const port = c.ports.find((p) => p.name === want || p.port === want) ?? c.ports[0]!;
  const backend = { service: { name: serviceName(appName, c.name), port: { number: port.port } } };
  const spec = {
    rules: [
      {
        ...(c.expose.host ? { host: c.expose.host } : {}),
        http: { paths: [{ path: c.expose.path ?? '/', pathType: 'Prefix', backend }] },
      },
    ],
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: serviceName(appName, c.name),
      namespace: app.metadata?.namespace,
      labels: appLabels(appName, c.name, version),
      annotations: { [TEMPLATE_HASH]: hashOf(spec, 16) },
      ownerReferences: ownerRef(app),
    },
    spec: spec as V1Ingress['spec'],
  };
}

/** The mutable mirror ConfigMap of an `inPlace` reference, with the ConfigSet's latest content. */
export function desiredMirror(
  app: Application,
  configSet: string,
  version: number,
  data: Record<string, string>,
  binaryData: Record<string, string>,
): V1ConfigMap {
  const appName = app.metadata?.name ?? '';
  const content = { data, binaryData };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: mirrorName(appName, configSet),
      namespace: app.metadata?.namespace,
      labels: {
        ...appLabels(appName, undefined, `v${version}`),
        [MIRROR_OF]: configSet,
        [LABELS.configVersion]: String(version),
      },
      annotations: { [TEMPLATE_HASH]: hashOf(content, 16) },
      ownerReferences: ownerRef(app),
    },
    data,
    ...(Object.keys(binaryData).length ? { binaryData } : {}),
  };
}
