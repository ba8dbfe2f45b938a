// The Tekton v1 kinds Wharf runs (Task, TaskRun, Pipeline, PipelineRun), as the subset of
// tekton.dev/v1 it implements: field names and meanings are Tekton's, so YAML from Tekton's
// documentation applies unchanged. What the subset leaves out is refused (crds.ts, validate*.ts).
import type {
  KubernetesObject,
  V1Container,
  V1EnvVar,
  V1ResourceRequirements,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';

export const GROUP = 'tekton.dev';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Labels Tekton puts on TaskRuns and pods; `kubectl get taskruns -l tekton.dev/pipelineRun=x` works as on Tekton. */
export const LABELS = {
  task: 'tekton.dev/task',
  taskRun: 'tekton.dev/taskRun',
  pipeline: 'tekton.dev/pipeline',
  pipelineRun: 'tekton.dev/pipelineRun',
  pipelineTask: 'tekton.dev/pipelineTask',
  memberOf: 'tekton.dev/memberOf',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;
export const MANAGED_BY = 'wharf-pipelines';

/** What a build's trigger records on its PipelineRun (git push, webhook, rerun), copied to TaskRuns and pods. */
export const ANNOTATIONS = {
  commit: 'platform.wharf.dev/commit',
  author: 'platform.wharf.dev/author',
  message: 'platform.wharf.dev/message',
  trigger: 'platform.wharf.dev/trigger',
} as const;

export type ParamValue = string | string[] | Record<string, string>;
export interface ParamSpec {
  name: string;
  type?: 'string' | 'array' | 'object';
  description?: string;
  default?: ParamValue;
}
export interface Param {
  name: string;
  value: ParamValue;
}
export interface ResultSpec {
  name: string;
  type?: 'string' | 'array' | 'object';
  description?: string;
}
export interface WorkspaceDeclaration {
  name: string;
  description?: string;
  mountPath?: string;
  readOnly?: boolean;
  optional?: boolean;
}

export interface Step {
  name?: string;
  image?: string;
  script?: string;
  command?: string[];
  args?: string[];
  env?: V1EnvVar[];
  envFrom?: V1Container['envFrom'];
  workingDir?: string;
  computeResources?: V1ResourceRequirements;
  imagePullPolicy?: string;
  securityContext?: V1Container['securityContext'];
  timeout?: string;
  onError?: 'continue' | 'stopAndFail';
}

export interface TaskSpec {
  description?: string;
  params?: ParamSpec[];
  results?: ResultSpec[];
  workspaces?: WorkspaceDeclaration[];
  steps: Step[];
}

export interface WorkspaceBinding {
  name: string;
  subPath?: string;
  emptyDir?: Record<string, unknown>;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  volumeClaimTemplate?: V1PersistentVolumeClaim;
  configMap?: { name: string; items?: { key: string; path: string }[] };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface RunResult {
  name: string;
  type?: string;
  value: ParamValue;
}

export interface StepState {
  name: string;
  container: string;
  imageID?: string;
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode: number; reason?: string; message?: string; startedAt?: string; finishedAt?: string };
}

export interface TaskRunStatus {
  conditions?: Condition[];
  podName?: string;
  startTime?: string;
  completionTime?: string;
  steps?: StepState[];
  results?: RunResult[];
  retriesStatus?: TaskRunStatus[];
  taskSpec?: TaskSpec;
  observedGeneration?: number;
}

export interface TaskRef {
  name?: string;
  kind?: string;
  apiVersion?: string;
  resolver?: string;
  params?: Param[];
}

export interface TaskRunSpec {
  taskRef?: TaskRef;
  taskSpec?: TaskSpec;
  params?: Param[];
  workspaces?: WorkspaceBinding[];
  timeout?: string;
  retries?: number;
  status?: string;
  statusMessage?: string;
  serviceAccountName?: string;
  podTemplate?: Record<string, unknown>;
}

export interface Task extends KubernetesObject {
  spec: TaskSpec;
}
export interface TaskRun extends KubernetesObject {
  spec: TaskRunSpec;
  status?: TaskRunStatus;
}

export interface WhenExpression {
  input?: string;
  operator?: 'in' | 'notin';
  values?: string[];
  cel?: string;
}
export interface PipelineWorkspaceBinding {
  name: string;
  workspace?: string;
  subPath?: string;
}

export interface PipelineTask {
  name: string;
  displayName?: string;
  taskRef?: TaskRef;
  taskSpec?: TaskSpec;
  params?: Param[];
  workspaces?: PipelineWorkspaceBinding[];
  runAfter?: string[];
  when?: WhenExpression[];
  retries?: number;
  timeout?: string;
  matrix?: unknown;
  pipelineRef?: unknown;
  pipelineSpec?: unknown;
}

export interface PipelineSpec {
  description?: string;
  params?: ParamSpec[];
  workspaces?: WorkspaceDeclaration[];
  tasks: PipelineTask[];
  finally?: PipelineTask[];
  results?: { name: string; type?: string; value: ParamValue; description?: string }[];
}

export interface Timeouts {
  pipeline?: string;
  tasks?: string;
  finally?: string;
}

export interface PipelineRunSpec {
  pipelineRef?: { name?: string; resolver?: string; params?: Param[] };
  pipelineSpec?: PipelineSpec;
  params?: Param[];
  workspaces?: WorkspaceBinding[];
  timeouts?: Timeouts;
  status?: string;
  taskRunTemplate?: { serviceAccountName?: string; podTemplate?: Record<string, unknown> };
}

export interface ChildReference {
  apiVersion: string;
  kind: string;
  name: string;
  pipelineTaskName: string;
  whenExpressions?: WhenExpression[];
}
export interface SkippedTask {
  name: string;
  reason: string;
  whenExpressions?: WhenExpression[];
}

export interface PipelineRunStatus {
  conditions?: Condition[];
  startTime?: string;
  completionTime?: string;
  pipelineSpec?: PipelineSpec;
  childReferences?: ChildReference[];
  skippedTasks?: SkippedTask[];
  results?: RunResult[];
  finallyStartTime?: string;
  observedGeneration?: number;
}

export interface Pipeline extends KubernetesObject {
  spec: PipelineSpec;
}
export interface PipelineRun extends KubernetesObject {
  spec: PipelineRunSpec;
  status?: PipelineRunStatus;
}

export const paths = {
  tasks: (ns: string): string => `/apis/${API_VERSION}/namespaces/${ns}/tasks`,
  taskRuns: (ns: string): string => `/apis/${API_VERSION}/namespaces/${ns}/taskruns`,
  pipelines: (ns: string): string => `/apis/${API_VERSION}/namespaces/${ns}/pipelines`,
  pipelineRuns: (ns: string): string => `/apis/${API_VERSION}/namespaces/${ns}/pipelineruns`,
  pods: (ns: string): string => `/api/v1/namespaces/${ns}/pods`,
  pvcs: (ns: string): string => `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
} as const;

export const COLLECTIONS = {
  tasks: `/apis/${API_VERSION}/tasks`,
  taskRuns: `/apis/${API_VERSION}/taskruns`,
  pipelines: `/apis/${API_VERSION}/pipelines`,
  pipelineRuns: `/apis/${API_VERSION}/pipelineruns`,
} as const;
