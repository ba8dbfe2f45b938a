// The CustomResourceDefinitions of tekton.dev/v1 Task, TaskRun, Pipeline and PipelineRun:
// structural schemas of the subset Wharf runs, Tekton's printer columns, the status subresource,
// and CEL rules that refuse, with the field named, what the subset leaves out (a field the schema
// did not know would otherwise be pruned silently). deploy/pipelines/crds.yaml is generated from
// these (scripts/gen-pipelines.mjs).
import { GROUP, VERSION } from './types.js';

type Schema = Record<string, unknown>;

const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
const bool = (): Schema => ({ type: 'boolean' });
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  ...extra,
});
const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const strings = (): Schema => arr(str());
/** A Kubernetes type kept whole (env vars, resources, volume claim templates): the API server checks it in the pod. */
const opaque = (): Schema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
/** Anything at all: accepted by the schema only so that a CEL rule can refuse it with a clear message. */
const anything = (): Schema => ({ 'x-kubernetes-preserve-unknown-fields': true });
const rule = (r: string, message: string, fieldPath?: string): Schema => ({
  rule: r,
  message,
  ...(fieldPath ? { fieldPath } : {}),
});
const notSupported = (field: string, what = field): Schema =>
  rule(`!has(self.${field})`, `${what} is not supported by Wharf's Tekton subset`, `.${field}`);

const NAME = '^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$';
const DURATION = '^([0-9]+(\\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$|^0$';
/** A param value: a string, an array of strings or an object of strings. */
const paramValue = (): Schema => ({ 'x-kubernetes-preserve-unknown-fields': true });
const params = arr(obj({ name: str({ minLength: 1 }), value: paramValue() }, { required: ['name', 'value'] }));
const paramSpecs = arr(
  obj(
    {
      name: str({ pattern: NAME, maxLength: 253 }),
      type: str({ enum: ['string', 'array', 'object'] }),
      description: str(),
      default: paramValue(),
      properties: opaque(),
    },
    { required: ['name'] },
  ),
  {
    maxItems: 64,
    'x-kubernetes-validations': [
      rule('self.all(p, self.exists_one(q, q.name == p.name))', 'param names must be unique'),
    ],
  },
);
const condition = obj(
  { type: str(), status: str(), reason: str(), message: str(), lastTransitionTime: str(), severity: str() },
  { required: ['type', 'status'] },
);
const conditions = arr(condition);
const results = arr(obj({ name: str(), type: str(), value: paramValue() }, { required: ['name'] }));

const step = obj(
  {
    name: str({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 58 }),
    image: str({ minLength: 1 }),
    script: str(),
    command: strings(),
    args: strings(),
    env: arr(opaque()),
    envFrom: arr(opaque()),
    workingDir: str(),
    computeResources: opaque(),
    imagePullPolicy: str({ enum: ['Always', 'IfNotPresent', 'Never'] }),
    securityContext: opaque(),
    onError: anything(),
    timeout: anything(),
    ref: anything(),
    volumeMounts: anything(),
    volumeDevices: anything(),
    stdoutConfig: anything(),
    stderrConfig: anything(),
  },
  {
    required: ['image'],
    'x-kubernetes-validations': [
      rule('!(has(self.script) && has(self.command))', 'expected exactly one, got both: command, script'),
      notSupported('onError', 'step onError'),
      notSupported('timeout', 'step timeout'),
      notSupported('ref', 'StepActions (step ref)'),
      notSupported('volumeMounts', 'step volumeMounts (use workspaces)'),
      notSupported('volumeDevices', 'step volumeDevices'),
      notSupported('stdoutConfig', 'step stdoutConfig'),
      notSupported('stderrConfig', 'step stderrConfig'),
    ],
  },
);
const workspaceDecl = obj(
  { name: str({ pattern: NAME }), description: str(), mountPath: str(), readOnly: bool(), optional: bool() },
  { required: ['name'] },
);
const taskSpec = obj(
  {
    description: str(),
    displayName: str(),
    params: paramSpecs,
    results: arr(
      obj(
        {
          name: str({ pattern: NAME }),
          type: str({ enum: ['string', 'array', 'object'] }),
          description: str(),
          properties: opaque(),
        },
        { required: ['name'] },
      ),
    ),
    workspaces: arr(workspaceDecl),
    steps: arr(step, { minItems: 1, maxItems: 64 }),
    sidecars: anything(),
    stepTemplate: anything(),
    volumes: anything(),
  },
  {
    required: ['steps'],
    'x-kubernetes-validations': [
      notSupported('sidecars'),
      notSupported('stepTemplate'),
      notSupported('volumes', 'Task volumes (use workspaces)'),
      rule(
        'self.steps.all(s, !has(s.name) || self.steps.exists_one(t, has(t.name) && t.name == s.name))',
        'step names must be unique',
        '.steps',
      ),
    ],
  },
);
const taskRef = obj(
  { name: str(), kind: str(), apiVersion: str(), resolver: anything(), params: anything() },
  {
    'x-kubernetes-validations': [
      notSupported('resolver', 'taskRef.resolver (remote resolution)'),
      notSupported('params', 'taskRef.params (remote resolution)'),
      rule(
        "!has(self.kind) || self.kind == 'Task'",
        "only kind 'Task' is supported by Wharf's Tekton subset (no ClusterTask or custom tasks)",
        '.kind',
      ),
    ],
  },
);
const workspaceBinding = obj(
  {
    name: str({ minLength: 1 }),
    subPath: str(),
    emptyDir: opaque(),
    persistentVolumeClaim: obj({ claimName: str({ minLength: 1 }), readOnly: bool() }, { required: ['claimName'] }),
    volumeClaimTemplate: opaque(),
    configMap: opaque(),
    secret: opaque(),
    csi: anything(),
    projected: anything(),
  },
  {
    required: ['name'],
    'x-kubernetes-validations': [
      notSupported('csi', 'csi workspaces'),
      notSupported('projected', 'projected workspaces'),
      rule(
        '(has(self.emptyDir) ? 1 : 0) + (has(self.persistentVolumeClaim) ? 1 : 0) + (has(self.volumeClaimTemplate) ? 1 : 0) + (has(self.configMap) ? 1 : 0) + (has(self.secret) ? 1 : 0) == 1',
        'expected exactly one of: emptyDir, persistentVolumeClaim, volumeClaimTemplate, configMap, secret',
      ),
    ],
  },
);
const whenExpr = obj(
  { input: str(), operator: str({ enum: ['in', 'notin'] }), values: strings(), cel: anything() },
  {
    'x-kubernetes-validations': [
      notSupported('cel', 'CEL in when'),
      rule(
        'has(self.cel) || (has(self.input) && has(self.operator) && has(self.values))',
        'a when expression needs input, operator and values',
      ),
    ],
  },
);
const pipelineTask = obj(
  {
    name: str({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }),
    displayName: str(),
    description: str(),
    taskRef,
    taskSpec,
    params,
    workspaces: arr(obj({ name: str(), workspace: str(), subPath: str() }, { required: ['name'] })),
    // Bounded so the CEL rules over them fit the API server's cost budget (a real one refuses the CRD otherwise).
    runAfter: arr(str({ maxLength: 63 }), { maxItems: 16 }),
    when: arr(whenExpr, { maxItems: 16 }),
    retries: int({ minimum: 0 }),
    timeout: str({ pattern: DURATION }),
    matrix: anything(),
    pipelineRef: anything(),
    pipelineSpec: anything(),
    onError: anything(),
  },
  {
    required: ['name'],
    'x-kubernetes-validations': [
      notSupported('matrix'),
      notSupported('pipelineRef', 'pipelines in pipelines (pipelineRef)'),
      notSupported('pipelineSpec', 'pipelines in pipelines (pipelineSpec)'),
      notSupported('onError', 'pipeline task onError'),
      rule('has(self.taskRef) != has(self.taskSpec)', 'expected exactly one of: taskRef, taskSpec'),
    ],
  },
);
const pipelineSpec = obj(
  {
    description: str(),
    displayName: str(),
    params: paramSpecs,
    workspaces: arr(workspaceDecl),
    tasks: arr(pipelineTask, { minItems: 1, maxItems: 128 }),
    finally: arr(pipelineTask, { maxItems: 64 }),
    results: arr(
      obj({ name: str(), type: str(), description: str(), value: paramValue() }, { required: ['name', 'value'] }),
    ),
  },
  {
    required: ['tasks'],
    'x-kubernetes-validations': [
      rule(
        'self.tasks.all(t, self.tasks.exists_one(u, u.name == t.name))',
        'pipeline task names must be unique',
        '.tasks',
      ),
      rule(
        'self.tasks.all(t, !has(t.runAfter) || t.runAfter.all(r, self.tasks.exists(u, u.name == r)))',
        'runAfter must name tasks of spec.tasks',
        '.tasks',
      ),
      rule(
        '!has(self.finally) || self.finally.all(t, !has(t.runAfter))',
        'no runAfter allowed under spec.finally',
        '.finally',
      ),
    ],
  },
);
const timeouts = obj({
  pipeline: str({ pattern: DURATION }),
  tasks: str({ pattern: DURATION }),
  finally: str({ pattern: DURATION }),
});

const taskRunSpec = obj(
  {
    taskRef,
    taskSpec,
    params,
    workspaces: arr(workspaceBinding),
    timeout: str({ pattern: DURATION }),
    retries: int({ minimum: 0 }),
    status: str({ enum: ['TaskRunCancelled'] }),
    statusMessage: str(),
    serviceAccountName: str(),
    podTemplate: opaque(),
    debug: anything(),
    sidecarSpecs: anything(),
    stepSpecs: anything(),
    computeResources: anything(),
  },
  {
    'x-kubernetes-validations': [
      rule('has(self.taskRef) != has(self.taskSpec)', 'expected exactly one of: taskRef, taskSpec'),
      notSupported('debug'),
      notSupported('sidecarSpecs'),
      notSupported('stepSpecs'),
      notSupported('computeResources', 'TaskRun-level computeResources'),
    ],
  },
);
const pipelineRunSpec = obj(
  {
    pipelineRef: obj(
      { name: str(), resolver: anything(), params: anything() },
      {
        'x-kubernetes-validations': [
          notSupported('resolver', 'pipelineRef.resolver (remote resolution)'),
          notSupported('params', 'pipelineRef.params (remote resolution)'),
        ],
      },
    ),
    pipelineSpec,
    params,
    workspaces: arr(workspaceBinding),
    timeouts,
    status: str({ enum: ['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally', 'PipelineRunPending'] }),
    taskRunTemplate: obj({ serviceAccountName: str(), podTemplate: opaque() }),
    taskRunSpecs: anything(),
  },
  {
    'x-kubernetes-validations': [
      rule('has(self.pipelineRef) != has(self.pipelineSpec)', 'expected exactly one of: pipelineRef, pipelineSpec'),
      notSupported('taskRunSpecs'),
    ],
  },
);
const stepState = obj({
  name: str(),
  container: str(),
  imageID: str(),
  running: opaque(),
  waiting: opaque(),
  terminated: opaque(),
});
const taskRunStatusProps = {
  conditions,
  podName: str(),
  startTime: str(),
  completionTime: str(),
  steps: arr(stepState),
  results,
  taskSpec: opaque(),
  observedGeneration: int(),
};
const taskRunStatus = obj({ ...taskRunStatusProps, retriesStatus: arr(obj(taskRunStatusProps)) });
const pipelineRunStatus = obj({
  conditions,
  startTime: str(),
  completionTime: str(),
  finallyStartTime: str(),
  pipelineSpec: opaque(),
  results,
  observedGeneration: int(),
  childReferences: arr(
    obj({ apiVersion: str(), kind: str(), name: str(), pipelineTaskName: str(), whenExpressions: arr(opaque()) }),
  ),
  skippedTasks: arr(obj({ name: str(), reason: str(), whenExpressions: arr(opaque()) })),
});

interface Kind {
  kind: string;
  plural: string;
  shortNames: string[];
  spec: Schema;
  status?: Schema;
  run: boolean;
}

function crd(k: Kind): Schema {
  const columns = k.run
    ? [
        { name: 'Succeeded', type: 'string', jsonPath: '.status.conditions[?(@.type=="Succeeded")].status' },
        { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Succeeded")].reason' },
        { name: 'StartTime', type: 'date', jsonPath: '.status.startTime' },
        { name: 'CompletionTime', type: 'date', jsonPath: '.status.completionTime' },
      ]
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${k.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'wharf', 'app.kubernetes.io/component': 'pipelines' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: k.kind,
        listKind: `${k.kind}List`,
        plural: k.plural,
        singular: k.kind.toLowerCase(),
        shortNames: k.shortNames,
        categories: ['tekton', 'tekton-pipelines'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: obj(
              {
                apiVersion: str(),
                kind: str(),
                metadata: { type: 'object' },
                spec: k.spec,
                ...(k.status ? { status: k.status } : {}),
              },
              { required: ['spec'] },
            ),
          },
          ...(k.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: columns,
        },
      ],
    },
  };
}

export const TASK_CRD = crd({ kind: 'Task', plural: 'tasks', shortNames: [], spec: taskSpec, run: false });
export const TASKRUN_CRD = crd({
  kind: 'TaskRun',
  plural: 'taskruns',
  shortNames: ['tr', 'trs'],
  spec: taskRunSpec,
  status: taskRunStatus,
  run: true,
});
export const PIPELINE_CRD = crd({
  kind: 'Pipeline',
  plural: 'pipelines',
  shortNames: [],
  spec: pipelineSpec,
  run: false,
});
export const PIPELINERUN_CRD = crd({
  kind: 'PipelineRun',
  plural: 'pipelineruns',
  shortNames: ['pr', 'prs'],
  spec: pipelineRunSpec,
  status: pipelineRunStatus,
  run: true,
});

export const CRDS: readonly Schema[] = [TASK_CRD, TASKRUN_CRD, PIPELINE_CRD, PIPELINERUN_CRD];
