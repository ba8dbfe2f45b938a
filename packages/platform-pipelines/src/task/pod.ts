// A TaskRun as one pod. Steps are init containers: the kubelet runs them one at a time in order
// and stops at the first failure, which is Tekton's step semantics without an entrypoint binary
// to coordinate containers. They share the pod's volumes, so workspaces, `/tekton/results` and
// `/workspace` are seen by every step. A first init container writes the steps' scripts; the one
// regular container prints the results files, which the controller reads back from its log
// (Wharf's node agent keeps no termination messages, the channel Tekton uses).
import type { V1Container, V1Pod, V1Volume, V1VolumeMount, V1ResourceRequirements } from '@kubernetes/client-node';
import { substituteDeep, substituteList, substituteString, type VarValue, type Vars } from '../common/substitute.js';
import { LABELS, MANAGED_BY, type Step, type TaskRun, type TaskSpec, type WorkspaceBinding } from '../types.js';

export const SCRIPTS_DIR = '/tekton/scripts';
export const RESULTS_DIR = '/tekton/results';
export const RESULTS_CONTAINER = 'wharf-results';
export const PLACE_SCRIPTS = 'place-scripts';
export const STEP_PREFIX = 'step-';

export interface PodOptions {
  /** Runs the script writer and the results reader: needs `sh`, `base64` and `printf` (busybox has them). */
  readonly helperImage: string;
  /** Given to every step without computeResources, so builds never starve the node. */
  readonly defaultResources: V1ResourceRequirements;
}

/** Tekton's step container names: `step-<name>`, or `step-unnamed-<i>`. */
export const stepContainerName = (step: Step, i: number): string => `${STEP_PREFIX}${step.name ?? `unnamed-${i}`}`;
/** The pod of attempt `retry` (0 first): `<taskrun>-pod`, then `<taskrun>-pod-retry1`, ... as Tekton names them. */
export const podName = (taskRun: string, retry: number): string =>
  `${taskRun.slice(0, 52)}-pod${retry ? `-retry${retry}` : ''}`;
const volumeName = (ws: string): string => `ws-${ws}`.slice(0, 63).replace(/[^a-z0-9-]/g, '-');

/** Without a shebang, Tekton runs a script with `sh -e`. */
const scriptBody = (script: string): string => (script.startsWith('#!') ? script : `#!/bin/sh\nset -e\n${script}`);

function workspaceVolume(b: WorkspaceBinding): Omit<V1Volume, 'name'> {
  if (b.persistentVolumeClaim)
    return {
      persistentVolumeClaim: {
        claimName: b.persistentVolumeClaim.claimName,
        ...(b.persistentVolumeClaim.readOnly ? { readOnly: true } : {}),
      },
    };
  if (b.configMap) return { configMap: b.configMap };
  if (b.secret) return { secret: b.secret };
  return { emptyDir: b.emptyDir ?? {} };
}

export interface PodInput {
  readonly taskRun: TaskRun;
  readonly spec: TaskSpec;
  readonly params: ReadonlyMap<string, VarValue>;
  /** Bindings with volumeClaimTemplate already replaced by the claim created for it. */
  readonly workspaces: readonly WorkspaceBinding[];
  readonly retry: number;
}

/** The variables a step sees besides its params. */
export function taskVars(input: PodInput): Map<string, VarValue> {
  const tr = input.taskRun;
  const vars = new Map<string, VarValue>();
  for (const [k, v] of input.params) vars.set(`params.${k}`, v);
  for (const r of input.spec.results ?? []) vars.set(`results.${r.name}.path`, `${RESULTS_DIR}/${r.name}`);
  for (const w of input.spec.workspaces ?? []) {
    const b = input.workspaces.find((x) => x.name === w.name);
    vars.set(`workspaces.${w.name}.path`, b || !w.optional ? (w.mountPath ?? `/workspace/${w.name}`) : '');
    vars.set(`workspaces.${w.name}.bound`, b ? 'true' : 'false');
    vars.set(`workspaces.${w.name}.claim`, b?.persistentVolumeClaim?.claimName ?? '');
    vars.set(`workspaces.${w.name}.volume`, b ? volumeName(w.name) : '');
  }
  vars.set('context.taskRun.name', tr.metadata?.name ?? '');
  vars.set('context.taskRun.namespace', tr.metadata?.namespace ?? '');
  vars.set('context.taskRun.uid', tr.metadata?.uid ?? '');
  vars.set('context.task.name', tr.metadata?.labels?.[LABELS.task] ?? tr.spec.taskRef?.name ?? '');
  vars.set('context.task.retry-count', String(input.retry));
  return vars;
}

function stepContainer(step: Step, i: number, vars: Vars, mounts: V1VolumeMount[], opts: PodOptions): V1Container {
  const s = substituteDeep({ ...step, script: undefined }, vars);
  const c: V1Container = {
    name: stepContainerName(step, i),
    image: substituteString(step.image ?? '', vars),
    workingDir: s.workingDir ?? '/workspace',
    resources: step.computeResources ?? opts.defaultResources,
    volumeMounts: mounts,
    env: [{ name: 'HOME', value: '/tekton/home' }, ...(s.env ?? [])],
  };
  if (s.envFrom) c.envFrom = s.envFrom;
  if (s.imagePullPolicy) c.imagePullPolicy = s.imagePullPolicy;
  if (s.securityContext) c.securityContext = s.securityContext;
  if (step.script !== undefined) {
    c.command = [`${SCRIPTS_DIR}/script-${i}`];
    const args = substituteList(step.args, vars);
    if (args) c.args = args;
  } else {
    const command = substituteList(step.command, vars);
    const args = substituteList(step.args, vars);
    if (command) c.command = command;
    if (args) c.args = args;
  }
  return c;
}

export function buildPod(input: PodInput, opts: PodOptions): V1Pod {
  const tr = input.taskRun;
  const name = tr.metadata?.name ?? '';
  const vars = taskVars(input);
  const internal: V1Volume[] = [
    { name: 'tekton-internal-scripts', emptyDir: {} },
    { name: 'tekton-internal-results', emptyDir: {} },
    { name: 'tekton-internal-workspace', emptyDir: {} },
    { name: 'tekton-internal-home', emptyDir: {} },
  ];
  const mounts: V1VolumeMount[] = [
    { name: 'tekton-internal-scripts', mountPath: SCRIPTS_DIR, readOnly: true },
    { name: 'tekton-internal-results', mountPath: RESULTS_DIR },
    { name: 'tekton-internal-workspace', mountPath: '/workspace' },
    { name: 'tekton-internal-home', mountPath: '/tekton/home' },
  ];
  const volumes: V1Volume[] = [...internal];
  for (const w of input.spec.workspaces ?? []) {
    const b = input.workspaces.find((x) => x.name === w.name);
    if (!b) continue;
    volumes.push({ name: volumeName(w.name), ...workspaceVolume(b) });
    const readOnly = w.readOnly || !!b.configMap || !!b.secret;
    mounts.push({
      name: volumeName(w.name),
      mountPath: w.mountPath ?? `/workspace/${w.name}`,
      ...(b.subPath ? { subPath: b.subPath } : {}),
      ...(readOnly ? { readOnly: true } : {}),
    });
  }
  const scripts = input.spec.steps
    .map((s, i) => (s.script !== undefined ? { i, body: scriptBody(substituteString(s.script, vars)) } : undefined))
    .filter((x) => x !== undefined);
  const small: V1ResourceRequirements = {
    requests: { cpu: '10m', memory: '16Mi' },
    limits: { cpu: '100m', memory: '64Mi' },
  };
  const place: V1Container = {
    name: PLACE_SCRIPTS,
    image: opts.helperImage,
    resources: small,
    // Scripts travel as env values: printf '%s' writes them byte for byte.
    command: [
      'sh',
      '-c',
      scripts
        .map(
          (s) =>
            `printf '%s' "$SCRIPT_${s.i}" > ${SCRIPTS_DIR}/script-${s.i} && chmod 0555 ${SCRIPTS_DIR}/script-${s.i}`,
        )
        .join(' && ') || 'true',
    ],
    env: scripts.map((s) => ({ name: `SCRIPT_${s.i}`, value: s.body })),
    volumeMounts: [
      { name: 'tekton-internal-scripts', mountPath: SCRIPTS_DIR },
      { name: 'tekton-internal-home', mountPath: '/tekton/home' },
    ],
  };
  const results: V1Container = {
    name: RESULTS_CONTAINER,
    image: opts.helperImage,
    resources: small,
    command: [
      'sh',
      '-c',
      `cd ${RESULTS_DIR} && for f in *; do if [ -f "$f" ]; then printf '%s %s\\n' "$f" "$(base64 < "$f" | tr -d '\\n')"; fi; done; true`,
    ],
    volumeMounts: [{ name: 'tekton-internal-results', mountPath: RESULTS_DIR, readOnly: true }],
  };
  const labels = { ...(tr.metadata?.labels ?? {}), [LABELS.taskRun]: name, [LABELS.managedBy]: MANAGED_BY };
  const pt = tr.spec.podTemplate as V1Pod['spec'] | undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(name, input.retry),
      namespace: tr.metadata?.namespace,
      labels,
      annotations: Object.fromEntries(
        Object.entries(tr.metadata?.annotations ?? {}).filter(([k]) => !k.startsWith('kubectl.kubernetes.io/')),
      ),
      ownerReferences: [
        {
          apiVersion: tr.apiVersion ?? 'tekton.dev/v1',
          kind: 'TaskRun',
          name,
          uid: tr.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      restartPolicy: 'Never',
      ...(tr.spec.serviceAccountName ? { serviceAccountName: tr.spec.serviceAccountName } : {}),
      ...(pt?.nodeSelector ? { nodeSelector: pt.nodeSelector } : {}),
      ...(pt?.tolerations ? { tolerations: pt.tolerations } : {}),
      ...(pt?.securityContext ? { securityContext: pt.securityContext } : {}),
      initContainers: [place, ...input.spec.steps.map((s, i) => stepContainer(s, i, vars, mounts, opts))],
      containers: [results],
      volumes,
    },
  };
}

/** Parses the results container's log: one `<name> <base64 value>` line per results file. */
export function parseResults(
  log: string,
  spec: TaskSpec,
): { name: string; type?: string; value: string | string[] | Record<string, string> }[] {
  const out: { name: string; type?: string; value: string | string[] | Record<string, string> }[] = [];
  for (const line of log.split('\n')) {
    const m = /^(\S+) (\S*)$/.exec(line.trim());
    if (!m) continue;
    const decl = (spec.results ?? []).find((r) => r.name === m[1]);
    if (!decl) continue;
    const text = Buffer.from(m[2] ?? '', 'base64').toString('utf8');
    const type = decl.type ?? 'string';
    if (type === 'string') {
      out.push({ name: decl.name, type, value: text });
      continue;
    }
    try {
      out.push({ name: decl.name, type, value: JSON.parse(text) as string[] | Record<string, string> });
    } catch {
      out.push({ name: decl.name, type: 'string', value: text });
    }
  }
  return out;
}
