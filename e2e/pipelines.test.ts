// Pipelines end to end on `wharf up --nodes 1` with real runc pods: Tekton's own example of
// `when` expressions (params, an array param, a workspace from a volumeClaimTemplate, results,
// `finally` with `$(tasks.status)`) runs unchanged but for its images, and reports what Tekton
// reports; a failing step, a cancelled run, timeouts and bad input get Tekton's reasons; step
// logs are archived with a Secret's value masked (also when written in two pieces) and read
// through the aggregated log API after the pods are deleted and after Wharf restarts.
// Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, runcUnavailable, WHARF_BIN, WharfProcess } from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const NS = 'ci';
const TOKEN = 'tok-9f8e7d6c5b';
const LOGS = `/apis/pipelines.wharf.dev/v1alpha1/namespaces/${NS}`;

interface Condition { type: string; status: string; reason?: string; message?: string }
interface Run {
  status?: {
    conditions?: Condition[];
    skippedTasks?: { name: string; reason: string }[];
    childReferences?: { name: string; pipelineTaskName: string }[];
    results?: { name: string; value: unknown }[];
    steps?: { name: string; container: string; terminated?: { exitCode: number; reason?: string } }[];
    retriesStatus?: unknown[];
    podName?: string;
  };
}

/**
 * Tekton's examples/v1/pipelineruns/pipelinerun-with-when-expressions.yaml, changed only where this
 * machine needs it: busybox for ubuntu/alpine (air-gapped), a name instead of generateName, and the
 * claim template bound to a pre-created PV (no dynamic provisioning yet).
 */
const docsPipelineRun = (pvName: string): string => `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: guarded-pr
  namespace: ${NS}
spec:
  taskRunTemplate:
    serviceAccountName: 'default'
  pipelineSpec:
    params:
      - name: path
        type: string
        description: The path of the file to be created
      - name: branches
        type: array
        description: The list of branch names
    workspaces:
      - name: source
        description: |
          This workspace is shared among all the pipeline tasks to read/write common resources
    tasks:
      - name: create-file # when expression using parameter, evaluates to true
        when:
          - input: "$(params.path)"
            operator: in
            values: ["README.md"]
        workspaces:
          - name: source
            workspace: source
        taskSpec:
          workspaces:
            - name: source
              description: The workspace to create the readme file in
          steps:
            - name: write-new-stuff
              image: busybox:1
              script: 'touch $(workspaces.source.path)/README.md'
      - name: check-file
        params:
          - name: path
            value: "$(params.path)"
        workspaces:
          - name: source
            workspace: source
        runAfter:
          - create-file
        taskSpec:
          params:
            - name: path
          workspaces:
            - name: source
              description: The workspace to check for the file
          results:
            - name: exists
              description: indicates whether the file exists or is missing
          steps:
            - name: check-file
              image: busybox:1
              script: |
                if test -f $(workspaces.source.path)/$(params.path); then
                  printf yes | tee /tekton/results/exists
                else
                  printf no | tee /tekton/results/exists
                fi
      - name: echo-file-exists # when expression using task result, evaluates to true
        when:
          - input: "$(tasks.check-file.results.exists)"
            operator: in
            values: ["yes"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: 'echo file exists'
      - name: sample-task-with-array-values
        when:
          - input: "main"
            operator: in
            values: ["$(params.branches[*])"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: 'echo hello'
      - name: task-should-be-skipped-1
        when:
          - input: "$(tasks.check-file.results.exists)" # when expression using task result, evaluates to false
            operator: in
            values: ["missing"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: task-should-be-skipped-2 # when expression using parameter, evaluates to false
        when:
          - input: "$(params.path)"
            operator: notin
            values: ["README.md"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: task-should-be-skipped-3 # task with when expression and run after
        runAfter:
          - echo-file-exists
        when:
          - input: "monday"
            operator: in
            values: ["friday"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: task-should-be-skipped-4 # task with when expression using array parameter, evaluates to false
        when:
          - input: "master"
            operator: in
            values: ["$(params.branches[*])"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
    finally:
      - name: finally-task-should-be-skipped-1 # when expression using execution status, evaluates to false
        when:
          - input: "$(tasks.echo-file-exists.status)"
            operator: in
            values: ["Failure"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: finally-task-should-be-skipped-2 # when expression using task result, evaluates to false
        when:
          - input: "$(tasks.check-file.results.exists)"
            operator: in
            values: ["missing"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: finally-task-should-be-skipped-3 # when expression using parameter, evaluates to false
        when:
          - input: "$(params.path)"
            operator: notin
            values: ["README.md"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: finally-task-should-be-skipped-4 # when expression using tasks execution status, evaluates to false
        when:
          - input: "$(tasks.status)"
            operator: in
            values: ["Failure"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: finally-task-should-be-skipped-5 # when expression using tasks execution status, evaluates to false
        when:
          - input: "$(tasks.status)"
            operator: in
            values: ["Succeeded"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: exit 1
      - name: finally-task-should-be-executed # when expression using execution status, tasks execution status, param, and results
        when:
          - input: "$(tasks.echo-file-exists.status)"
            operator: in
            values: ["Succeeded"]
          - input: "$(tasks.status)"
            operator: in
            values: ["Completed"]
          - input: "$(tasks.check-file.results.exists)"
            operator: in
            values: ["yes"]
          - input: "$(params.path)"
            operator: in
            values: ["README.md"]
        taskSpec:
          steps:
            - name: echo
              image: busybox:1
              script: 'echo finally done'
  params:
    - name: path
      value: README.md
    - name: branches
      value:
        - main
        - hotfix
  workspaces:
    - name: source
      volumeClaimTemplate:
        spec:
          accessModes:
            - ReadWriteOnce
          resources:
            requests:
              storage: 16Mi
          volumeName: ${pvName}
          storageClassName: ""
`;

/** Tasks by reference: a build that prints a Secret (once whole, once in two writes) and a step that fails. */
const tasksAndPipeline = `
apiVersion: v1
kind: Secret
metadata: {name: deploy-token, namespace: ${NS}}
stringData: {token: ${TOKEN}}
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: build, namespace: ${NS}}
spec:
  params:
    - name: flags
      type: array
      default: ["-v"]
    - name: target
  results:
    - name: digest
  steps:
    - name: compile
      image: busybox:1
      command: [echo]
      args: ["compiling", "$(params.target)", "$(params.flags[*])"]
    - name: publish
      image: busybox:1
      env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: deploy-token, key: token}}
      script: |
        echo "using token $TOKEN"
        printf 'split: tok-9f8e'; sleep 0.5; printf '7d6c5b done\\n'
        printf 'sha256:abc' > $(results.digest.path)
---
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: test, namespace: ${NS}}
spec:
  params:
    - name: outcome
  steps:
    - name: unit
      image: busybox:1
      script: echo unit tests pass
    - name: integration
      image: busybox:1
      script: |
        echo "integration: $(params.outcome)"
        [ "$(params.outcome)" = pass ] || exit 3
    - name: report
      image: busybox:1
      script: echo never reached when integration fails
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: ci, namespace: ${NS}}
spec:
  params:
    - name: outcome
      default: pass
  tasks:
    - name: build
      taskRef: {name: build}
      params: [{name: target, value: app}]
    - name: test
      taskRef: {name: test}
      runAfter: [build]
      params: [{name: outcome, value: "$(params.outcome)"}]
    - name: deploy
      runAfter: [test]
      params: [{name: digest, value: "$(tasks.build.results.digest)"}]
      taskSpec:
        params: [{name: digest}]
        steps:
          - {name: deploy, image: busybox:1, script: 'echo deploying $(params.digest)'}
  finally:
    - name: notify
      params: [{name: status, value: "$(tasks.status)"}]
      taskSpec:
        params: [{name: status}]
        steps:
          - {name: notify, image: busybox:1, script: 'echo pipeline $(params.status)'}
`;

const pipelineRun = (name: string, extra = ''): string => `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: ${name}, namespace: ${NS}}
spec:
  pipelineRef: {name: ci}
${extra}`;

describe.skipIf(skip !== '')(`pipelines (tekton.dev/v1) on wharf up --nodes 1 ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  let scratch: string;
  const get = async <T = Run>(kind: string, name: string): Promise<T> => JSON.parse(await k.ok(['get', kind, name, '-n', NS, '-o', 'json'])) as T;
  const cond = (r: Run): Condition | undefined => r.status?.conditions?.find((c) => c.type === 'Succeeded');
  const done = (kind: string, name: string, timeoutMs = 60_000): Promise<Run> => eventually(async () => {
    const r = await get(kind, name);
    const c = cond(r);
    return c && c.status !== 'Unknown' ? r : undefined;
  }, timeoutMs, `${kind} ${name} done`);
  const raw = (p: string): Promise<string> => k.ok(['get', '--raw', `${LOGS}${p}`]);

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'wharf-pipelines-e2e-'));
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    await run(process.execPath, [WHARF_BIN, 'image', 'build-base', 'busybox:1', '--debian-packages', 'busybox-static', '--data-dir', wharf.dataDir], { timeout: 120_000 });
    await k.ok(['create', 'namespace', NS]);
  }, 180_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("runs Tekton's when-expressions example and reports what Tekton reports", async () => {
    const pvDir = path.join(scratch, 'pv');
    execFileSync('mkdir', ['-p', pvDir]);
    await k.ok(['apply', '-f', '-'], { stdin: `
apiVersion: v1
kind: PersistentVolume
metadata: {name: guarded-pv}
spec:
  capacity: {storage: 16Mi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: ${pvDir}, type: Directory}
  claimRef: {namespace: ${NS}, name: pvc-guarded-pr-source}
` });
    await k.ok(['apply', '-f', '-'], { stdin: docsPipelineRun('guarded-pv') });
    // No dynamic provisioning yet: the claim the run made is bound to the PV by hand, as a binder would.
    await eventually(() => k.ok(['get', 'pvc', 'pvc-guarded-pr-source', '-n', NS, '-o', 'name']), 20_000, 'the claim of the volumeClaimTemplate');
    await k.ok(['patch', 'pvc', 'pvc-guarded-pr-source', '-n', NS, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}']);
    const pr = await done('pipelinerun', 'guarded-pr', 120_000);
    expect(cond(pr)).toMatchObject({ status: 'True', reason: 'Completed', message: 'Tasks Completed: 5 (Failed: 0, Cancelled 0), Skipped: 9' });
    const skipped = Object.fromEntries((pr.status?.skippedTasks ?? []).map((s) => [s.name, s.reason]));
    expect(skipped).toEqual({
      'task-should-be-skipped-1': 'When Expressions evaluated to false',
      'task-should-be-skipped-2': 'When Expressions evaluated to false',
      'task-should-be-skipped-3': 'When Expressions evaluated to false',
      'task-should-be-skipped-4': 'When Expressions evaluated to false',
      'finally-task-should-be-skipped-1': 'When Expressions evaluated to false',
      'finally-task-should-be-skipped-2': 'When Expressions evaluated to false',
      'finally-task-should-be-skipped-3': 'When Expressions evaluated to false',
      'finally-task-should-be-skipped-4': 'When Expressions evaluated to false',
      'finally-task-should-be-skipped-5': 'When Expressions evaluated to false',
    });
    expect((pr.status?.childReferences ?? []).map((c) => c.pipelineTaskName).sort()).toEqual(['check-file', 'create-file', 'echo-file-exists', 'finally-task-should-be-executed', 'sample-task-with-array-values']);
    const check = await get('taskrun', 'guarded-pr-check-file');
    expect(check.status?.results).toEqual([{ name: 'exists', type: 'string', value: 'yes' }]);
    // kubectl shows Tekton's columns.
    const table = await k.ok(['get', 'taskruns', '-n', NS, '-l', 'tekton.dev/pipelineRun=guarded-pr']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+SUCCEEDED\s+REASON\s+STARTTIME\s+COMPLETIONTIME$/);
    expect(table).toMatch(/^guarded-pr-finally-task-should-be-executed\s+True\s+Succeeded\s/m);
    expect(await raw('/taskrunlogs/guarded-pr-finally-task-should-be-executed/log')).toBe('[echo] finally done\n');
  }, 150_000);
});
