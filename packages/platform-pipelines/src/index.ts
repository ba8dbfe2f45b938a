// @wharf/platform-pipelines: the Tekton v1 API subset (Task, TaskRun, Pipeline, PipelineRun) run
// as pods, with step logs archived (secrets masked) and served through an aggregated API. It
// speaks only the Kubernetes API (through @wharf/client), so it runs against any cluster.
export * from './types.js';
export { CRDS, TASK_CRD, TASKRUN_CRD, PIPELINE_CRD, PIPELINERUN_CRD } from './crds.js';
export { startPipelines, type PipelinesOptions, type RunningPipelines } from './platform.js';
export { reconcileTaskRun } from './task/reconcile.js';
export { reconcilePipelineRun } from './pipeline/reconcile.js';
export { PIPELINERUN_REASONS, TASKRUN_REASONS, RUN_SPEC_STATUS } from './common/reasons.js';
export { LOGS_GROUP, LOGS_VERSION } from './logs/server.js';
export { isDone, succeeded } from './common/conditions.js';
