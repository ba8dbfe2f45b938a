// @wharf/platform-git: the built-in git server, forge webhooks, and the Repository kind whose
// pushes become Tekton PipelineRuns under a queue policy. May import: @wharf/api, @wharf/client.
export * from './types.js';
export { repositoryCrd, gitClusterRoles, installGitKinds } from './crd.js';
export { startGitServer, type GitServerOptions, type RunningGitServer } from './server.js';
export { runGitHttpBackend, type CgiOptions } from './git-cgi.js';
export { verifyDelivery, hmacHex, type Verdict } from './signatures.js';
export { parsePushEvent } from './payloads.js';
export { matchRule, globMatch } from './rules.js';
export { planPush, admit, runState } from './queue.js';
export { pipelineRunFor, type PipelineRun } from './pipelinerun.js';
