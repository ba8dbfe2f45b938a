// Tekton's condition reasons, as tektoncd/pipeline names them (pkg/apis/pipeline/v1): the
// `Succeeded` condition's reason is what `kubectl get taskrun|pipelinerun` shows in REASON.
export const TASKRUN_REASONS = {
  started: 'Started',
  pending: 'Pending',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  toBeRetried: 'ToBeRetried',
  cancelled: 'TaskRunCancelled',
  timeout: 'TaskRunTimeout',
  couldntGetTask: 'CouldntGetTask',
  validationFailed: 'TaskRunValidationFailed',
  imagePullFailed: 'TaskRunImagePullFailed',
} as const;

export const PIPELINERUN_REASONS = {
  started: 'Started',
  running: 'Running',
  succeeded: 'Succeeded',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  cancelledRunningFinally: 'CancelledRunningFinally',
  stoppedRunningFinally: 'StoppedRunningFinally',
  timeout: 'PipelineRunTimeout',
  couldntGetPipeline: 'CouldntGetPipeline',
  couldntGetTask: 'CouldntGetTask',
  parameterMissing: 'ParameterMissing',
  parameterTypeMismatch: 'ParameterTypeMismatch',
  validationFailed: 'PipelineValidationFailed',
  invalidTaskResultReference: 'InvalidTaskResultReference',
  invalidWorkspaceBinding: 'InvalidWorkspaceBindings',
} as const;

/** The `spec.status` values that stop a run, as Tekton spells them. */
export const RUN_SPEC_STATUS = {
  taskRunCancelled: 'TaskRunCancelled',
  cancelled: 'Cancelled',
  cancelledRunFinally: 'CancelledRunFinally',
  stoppedRunFinally: 'StoppedRunFinally',
  pending: 'PipelineRunPending',
} as const;
