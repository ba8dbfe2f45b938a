// Pipelines end to end on `wharf up --nodes 1` with real runc pods: Tekton's own example of
// `when` expressions (params, an array param, a workspace from a volumeClaimTemplate, results,
// `finally` with `$(tasks.status)`) runs unchanged but for its images, and reports what Tekton
// reports; a failing step, a cancelled run, timeouts and bad input get Tekton's reasons; step
// logs are archived with a Secret's value masked (also when written in two pieces) and read
// through the aggregated log API after the pods are deleted and after Wharf restarts; `wharf
// build` reads and drives the runs.
// Needs root, runc and the CNI plugins (skipped with the reason otherwise).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  askBackendDirectly,
  eventually,
  Kubectl,
  runcUnavailable,
  runWharf,
  WHARF_BIN,
  WharfProcess,
  type WharfRun,
} from '@wharf/testing';

const run = promisify(execFile);
const skip = runcUnavailable();
const NS = 'ci';
const TOKEN = 'tok-9f8e7d6c5b';
const LOGS = `/apis/pipelines.wharf.dev/v1alpha1/namespaces/${NS}`;

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
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
 * machine needs it: busybox for ubuntu/alpine (air-gapped) and a name instead of generateName. Its
 * volumeClaimTemplate's claim gets a volume from the default StorageClass.
 */
const docsPipelineRun = `
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

/** ConfigMap, Secret and emptyDir workspaces; a step that fails on its first attempt only. */
const workspacesAndRetries = `
apiVersion: v1
kind: ConfigMap
metadata: {name: build-settings, namespace: ${NS}}
data: {mode: release}
---
apiVersion: v1
kind: Secret
metadata: {name: registry-creds, namespace: ${NS}}
stringData: {password: pa55-w0rd-xyz}
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: with-workspaces, namespace: ${NS}}
spec:
  workspaces:
    - {name: settings, configMap: {name: build-settings}}
    - {name: creds, secret: {secretName: registry-creds}}
    - {name: scratch, emptyDir: {}}
  taskSpec:
    workspaces: [{name: settings}, {name: creds}, {name: scratch, mountPath: /scratch}]
    steps:
      - name: show
        image: busybox:1
        script: |
          echo "mode=$(cat $(workspaces.settings.path)/mode) password=$(cat $(workspaces.creds.path)/password)"
          echo kept > $(workspaces.scratch.path)/file
      - name: read
        image: busybox:1
        script: cat /scratch/file
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: flaky, namespace: ${NS}}
spec:
  retries: 2
  taskSpec:
    steps:
      - name: try
        image: busybox:1
        script: 'echo attempt $(context.task.retry-count); [ $(context.task.retry-count) -ge 1 ]'
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
  const get = async <T = Run>(kind: string, name: string): Promise<T> =>
    JSON.parse(await k.ok(['get', kind, name, '-n', NS, '-o', 'json'])) as T;
  const cond = (r: Run): Condition | undefined => r.status?.conditions?.find((c) => c.type === 'Succeeded');
  const done = (kind: string, name: string, timeoutMs = 60_000): Promise<Run> =>
    eventually(
      async () => {
        const r = await get(kind, name);
        const c = cond(r);
        return c && c.status !== 'Unknown' ? r : undefined;
      },
      timeoutMs,
      `${kind} ${name} done`,
    );
  const raw = (p: string): Promise<string> => k.ok(['get', '--raw', `${LOGS}${p}`]);
  /** A failed run's TaskRuns: their condition, steps and pod say why (a pod that could not start, a failed script). */
  const whyFailed = async (pr: Run): Promise<string> => {
    const runs = await Promise.all((pr.status?.childReferences ?? []).map((c) => get('taskrun', c.name)));
    return runs
      .filter((t) => cond(t)?.status === 'False')
      .map((t) => JSON.stringify({ ...cond(t), steps: t.status?.steps, pod: t.status?.podName }))
      .join('\n');
  };

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'wharf-pipelines-e2e-'));
    wharf = await WharfProcess.start({ extraArgs: ['--nodes', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    await run(
      process.execPath,
      [
        WHARF_BIN,
        'image',
        'build-base',
        'busybox:1',
        '--debian-packages',
        'busybox-static',
        '--data-dir',
        wharf.dataDir,
      ],
      { timeout: 120_000 },
    );
    await k.ok(['create', 'namespace', NS]);
    // The runs whose outcomes the tests check start here together and run side by side.
    // The example's volumeClaimTemplate gets its volume from the default StorageClass (local-path).
    await k.ok(['apply', '-f', '-'], {
      stdin: `${tasksAndPipeline}
---
${docsPipelineRun}
---
${pipelineRun('ci-pass')}
---
${pipelineRun('ci-fail', '  params: [{name: outcome, value: fail}]')}
---
${workspacesAndRetries}`,
    });
  }, 240_000);

  afterAll(async () => {
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("runs Tekton's when-expressions example and reports what Tekton reports", async () => {
    const pr = await done('pipelinerun', 'guarded-pr', 180_000);
    expect(cond(pr), await whyFailed(pr)).toMatchObject({
      status: 'True',
      reason: 'Completed',
      message: 'Tasks Completed: 5 (Failed: 0, Cancelled 0), Skipped: 9',
    });
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
    expect((pr.status?.childReferences ?? []).map((c) => c.pipelineTaskName).sort()).toEqual([
      'check-file',
      'create-file',
      'echo-file-exists',
      'finally-task-should-be-executed',
      'sample-task-with-array-values',
    ]);
    const check = await get('taskrun', 'guarded-pr-check-file');
    expect(check.status?.results).toEqual([{ name: 'exists', type: 'string', value: 'yes' }]);
    // kubectl shows Tekton's columns.
    const table = await k.ok(['get', 'taskruns', '-n', NS, '-l', 'tekton.dev/pipelineRun=guarded-pr']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+SUCCEEDED\s+REASON\s+STARTTIME\s+COMPLETIONTIME$/);
    expect(table).toMatch(/^guarded-pr-finally-task-should-be-executed\s+True\s+Succeeded\s/m);
    const prs = await k.ok(['get', 'pipelineruns', '-n', NS]);
    expect(prs.split('\n')[0]).toMatch(/^NAME\s+SUCCEEDED\s+REASON\s+STARTTIME\s+COMPLETIONTIME$/);
    expect(prs).toMatch(/^guarded-pr\s+True\s+Completed\s+\S+\s+\S+$/m);
    expect(await raw('/taskrunlogs/guarded-pr-finally-task-should-be-executed/log')).toBe('[echo] finally done\n');
  }, 200_000);
  it('runs Tasks by reference with params, array params, results and finally, and masks a Secret in the archived log', async () => {
    const pr = await done('pipelinerun', 'ci-pass', 90_000);
    expect(cond(pr), await whyFailed(pr)).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
      message: 'Tasks Completed: 4 (Failed: 0, Cancelled 0), Skipped: 0',
    });
    expect((await get('taskrun', 'ci-pass-build')).status?.results).toEqual([
      { name: 'digest', type: 'string', value: 'sha256:abc' },
    ]);
    expect(await raw('/taskrunlogs/ci-pass-build/log?step=compile')).toBe('compiling app -v\n');
    expect(await raw('/taskrunlogs/ci-pass-deploy/log')).toBe('[deploy] deploying sha256:abc\n');
    expect(await raw('/taskrunlogs/ci-pass-notify/log')).toBe('[notify] pipeline Succeeded\n');
    // The Secret's value, printed whole and in two writes half a second apart, is never archived.
    const publish = await raw('/taskrunlogs/ci-pass-build/log?step=publish');
    expect(publish).toBe('using token ***\nsplit: *** done\n');
    const all = await raw('/pipelinerunlogs/ci-pass/log');
    expect(all).toContain('[build:compile] compiling app -v\n');
    expect(all).toContain('[build:publish] split: *** done\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('tok-9f8e');
    const object = JSON.parse(await raw('/taskrunlogs/ci-pass-build')) as {
      kind: string;
      steps: { name: string; complete: boolean }[];
    };
    expect(object.kind).toBe('TaskRunLog');
    expect(object.steps.map((x) => [x.name, x.complete])).toEqual([
      ['compile', true],
      ['publish', true],
    ]);
    // Only through the API server: straight to the log server, even claiming to be an admin, is 401.
    const direct = await askBackendDirectly(
      k,
      'wharf-system',
      'wharf-pipelines',
      `${LOGS}/taskrunlogs/ci-pass-build/log`,
    );
    expect(direct.status).toBe(401);
    expect(direct.body).not.toContain('compiling');
  }, 120_000);

  it('fails a TaskRun at its failing step, skips what depends on it and still runs finally, as Tekton reports', async () => {
    const pr = await done('pipelinerun', 'ci-fail', 90_000);
    expect(cond(pr)).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1',
    });
    expect(pr.status?.skippedTasks).toEqual([{ name: 'deploy', reason: 'PipelineRun was stopping' }]);
    const test = await get('taskrun', 'ci-fail-test');
    expect(cond(test)).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: '"step-integration" exited with code 3 (image: "busybox:1")',
    });
    expect(test.status?.steps?.slice(0, 2).map((x) => [x.name, x.terminated?.exitCode])).toEqual([
      ['unit', 0],
      ['integration', 3],
    ]);
    expect(await raw('/taskrunlogs/ci-fail-test/log')).toBe(
      '[unit] unit tests pass\n[integration] integration: fail\n',
    );
    expect(await raw('/taskrunlogs/ci-fail-notify/log')).toBe('[notify] pipeline Failed\n');
  }, 120_000);

  it('cancels a running PipelineRun: its TaskRun is cancelled and its pod removed', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: to-cancel, namespace: ${NS}}
spec:
  pipelineSpec:
    tasks:
      - name: sleep
        taskSpec:
          steps: [{name: sleep, image: busybox:1, script: 'echo started; sleep 120'}]
`,
    });
    await eventually(
      async () => cond(await get('taskrun', 'to-cancel-sleep'))?.reason === 'Running' || undefined,
      60_000,
      'the TaskRun running',
    );
    await k.ok([
      'patch',
      'pipelinerun',
      'to-cancel',
      '-n',
      NS,
      '--type=merge',
      '-p',
      '{"spec":{"status":"Cancelled"}}',
    ]);
    const pr = await done('pipelinerun', 'to-cancel', 30_000);
    expect(cond(pr)).toMatchObject({
      status: 'False',
      reason: 'Cancelled',
      message: 'PipelineRun "to-cancel" was cancelled',
    });
    const tr = await get('taskrun', 'to-cancel-sleep');
    expect(cond(tr)).toMatchObject({ status: 'False', reason: 'TaskRunCancelled' });
    expect(cond(tr)?.message).toContain('TaskRun "to-cancel-sleep" was cancelled');
    await eventually(
      async () =>
        (await k.ok(['get', 'pods', '-n', NS, '-l', 'tekton.dev/taskRun=to-cancel-sleep', '-o', 'name'])).trim() ===
          '' || undefined,
      30_000,
      'the pod removed',
    );
  }, 120_000);

  it('times out a TaskRun past spec.timeout and a PipelineRun past timeouts.pipeline', async () => {
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: tekton.dev/v1
kind: TaskRun
metadata: {name: slow-task, namespace: ${NS}}
spec:
  timeout: 3s
  taskSpec:
    steps: [{name: sleep, image: busybox:1, script: 'sleep 120'}]
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: slow-pipeline, namespace: ${NS}}
spec:
  timeouts: {pipeline: 5s}
  pipelineSpec:
    tasks:
      - name: sleep
        taskSpec:
          steps: [{name: sleep, image: busybox:1, script: 'sleep 120'}]
`,
    });
    const [tr, pr] = await Promise.all([
      done('taskrun', 'slow-task', 40_000),
      done('pipelinerun', 'slow-pipeline', 40_000),
    ]);
    expect(cond(tr)).toMatchObject({
      status: 'False',
      reason: 'TaskRunTimeout',
      message: 'TaskRun "slow-task" failed to finish within "3s"',
    });
    expect(cond(pr)).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: 'PipelineRun "slow-pipeline" failed to finish within "5s"',
    });
    expect(cond(await get('taskrun', 'slow-pipeline-sleep'))?.reason).toBe('TaskRunCancelled');
  }, 120_000);

  it('binds ConfigMap and Secret workspaces (the Secret masked in the log) and retries a failed attempt', async () => {
    const [ws, flaky] = await Promise.all([
      done('taskrun', 'with-workspaces', 60_000),
      done('taskrun', 'flaky', 90_000),
    ]);
    expect(cond(ws)).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(await raw('/taskrunlogs/with-workspaces/log')).toBe('[show] mode=release password=***\n[read] kept\n');
    expect(cond(flaky)).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(flaky.status?.retriesStatus).toHaveLength(1);
    expect(flaky.status?.podName).toBe('flaky-pod-retry1');
    expect(await raw('/taskrunlogs/flaky/log')).toBe('[try] attempt 0\n[try (retry 1)] attempt 1\n');
  }, 120_000);

  it('refuses invalid Tasks and Pipelines with the field named, and fails runs that cannot start with Tekton reasons', async () => {
    const refused = async (yaml: string): Promise<string> => {
      const r = await k.run(['apply', '-f', '-'], { stdin: yaml });
      expect(r.code).not.toBe(0);
      return r.stderr;
    };
    expect(
      await refused(`
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: with-sidecar, namespace: ${NS}}
spec:
  steps: [{name: a, image: busybox:1, script: 'true'}]
  sidecars: [{name: db, image: busybox:1}]
`),
    ).toMatch(/spec\.sidecars: .*sidecars is not supported by Wharf's Tekton subset/);
    expect(
      await refused(`
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: both, namespace: ${NS}}
spec:
  steps: [{name: a, image: busybox:1, script: 'true', command: ['true']}]
`),
    ).toContain('expected exactly one, got both: command, script');
    expect(
      await refused(`
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: matrix, namespace: ${NS}}
spec:
  tasks: [{name: a, taskRef: {name: build}, matrix: {params: [{name: x, value: [a, b]}]}}]
`),
    ).toMatch(/spec\.tasks\[0\]\.matrix: .*matrix is not supported/);
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: missing-task, namespace: ${NS}}
spec:
  pipelineSpec:
    tasks: [{name: a, taskRef: {name: no-such-task}}]
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: missing-param, namespace: ${NS}}
spec:
  pipelineSpec:
    params: [{name: version}]
    tasks: [{name: a, taskSpec: {steps: [{image: busybox:1, script: 'echo $(params.version)'}]}}]
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: cycle, namespace: ${NS}}
spec:
  pipelineSpec:
    tasks:
      - {name: a, runAfter: [b], taskSpec: {steps: [{image: busybox:1, script: 'true'}]}}
      - {name: b, runAfter: [a], taskSpec: {steps: [{image: busybox:1, script: 'true'}]}}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: missing-pipeline, namespace: ${NS}}
spec:
  pipelineRef: {name: no-such-pipeline}
`,
    });
    const [task, param, cycle, pipeline] = await Promise.all(
      ['missing-task', 'missing-param', 'cycle', 'missing-pipeline'].map((n) => done('pipelinerun', n, 20_000)),
    );
    expect(cond(task!)).toMatchObject({ status: 'False', reason: 'CouldntGetTask' });
    expect(cond(task!)?.message).toContain('tasks.tekton.dev "no-such-task" not found');
    expect(cond(param!)).toMatchObject({ status: 'False', reason: 'ParameterMissing' });
    expect(cond(param!)?.message).toContain('[version]');
    expect(cond(cycle!)).toMatchObject({ status: 'False', reason: 'PipelineValidationFailed' });
    expect(cond(cycle!)?.message).toMatch(/spec\.tasks\[\d\]\.runAfter: invalid value: cycle detected/);
    expect(cond(pipeline!)).toMatchObject({ status: 'False', reason: 'CouldntGetPipeline' });
    expect(
      (await k.ok(['get', 'taskruns', '-n', NS, '-o', 'name'])).split('\n').filter((n) => /missing|cycle/.test(n)),
    ).toEqual([]);
  }, 60_000);

  it('wharf build ls|get|logs -f|cancel|rerun work on the runs, with one-line errors', async () => {
    const wharfCli = (...args: string[]): Promise<WharfRun> =>
      runWharf(['build', ...args, '--kubeconfig', wharf.kubeconfig, '-n', NS], { timeoutMs: 90_000 });
    // -f started before the run: it waits for the first step, streams, and ends with the run.
    const following = wharfCli('logs', 'watched', '-f');
    await k.ok(['apply', '-f', '-'], {
      stdin: `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: watched, namespace: ${NS}, annotations: {platform.wharf.dev/commit: 0123456789abcdef, platform.wharf.dev/trigger: push}}
spec:
  pipelineSpec:
    tasks:
      - name: count
        taskSpec:
          steps: [{name: count, image: busybox:1, script: 'for i in 1 2 3; do echo line $i; sleep 0.3; done'}]
`,
    });
    const followed = await following;
    expect(followed.code).toBe(0);
    expect(followed.stdout).toBe('[count:count] line 1\n[count:count] line 2\n[count:count] line 3\n');

    const ls = await wharfCli('ls');
    expect(ls.stdout.split('\n')[0]).toMatch(
      /^NAME\s+PIPELINE\s+STATUS\s+DEPLOYMENT\s+COMMIT\s+TRIGGER\s+DURATION\s+AGE$/,
    );
    expect(ls.stdout).toMatch(/^watched\s+\(inline\)\s+Succeeded\s+-\s+0123456\s+push\s+\S+\s/m);
    expect(ls.stdout).toMatch(/^ci-fail\s+ci\s+Failed\s/m);
    const got = await wharfCli('get', 'ci-fail');
    expect(got.stdout).toContain('Status:      Failed (Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1)');
    expect(got.stdout).toMatch(/^\s+test\s+Failed\s+\S+\s+ci-fail-test$/m);
    expect(got.stdout).toMatch(/^\s+integration\s+Error \(exit 3\)\s/m);
    expect(got.stdout).toMatch(/^\s+deploy\s+Skipped\s+-\s+PipelineRun was stopping$/m);
    expect((await wharfCli('logs', 'ci-pass')).stdout).toContain('[build:publish] using token ***\n');

    const rerun = await wharfCli('rerun', 'watched');
    const made = /^build (\S+) started \(rerun of watched\)$/m.exec(rerun.stdout)?.[1];
    expect(made).toMatch(/^watched-/);
    const again = await done('pipelinerun', made ?? '', 60_000);
    expect(cond(again)?.reason).toBe('Succeeded');
    expect(
      JSON.parse(await k.ok(['get', 'pipelinerun', made ?? '', '-n', NS, '-o', 'jsonpath={.metadata.annotations}'])),
    ).toMatchObject({
      'platform.wharf.dev/commit': '0123456789abcdef',
      'platform.wharf.dev/trigger': 'rerun of watched',
    });

    await k.ok(['apply', '-f', '-'], { stdin: pipelineRun('ci-cancel-me') });
    await eventually(
      async () => (await get('pipelinerun', 'ci-cancel-me')).status?.childReferences?.length || undefined,
      30_000,
      'the run started',
    );
    expect((await wharfCli('cancel', 'ci-cancel-me')).stdout).toBe('build ci-cancel-me cancelled\n');
    expect(cond(await done('pipelinerun', 'ci-cancel-me', 30_000))?.reason).toBe('Cancelled');
    const twice = await wharfCli('cancel', 'ci-cancel-me');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toBe('wharf: build ci-cancel-me already finished (Cancelled): nothing to cancel\n');
    const missing = await wharfCli('get', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('wharf: pipelinerun nope not found in namespace ci\n');
  }, 180_000);

  it('serves archived logs only to who may read them, after the pods are deleted and after Wharf restarts', async () => {
    await k.ok(['create', 'serviceaccount', 'nobody', '-n', NS]);
    const denied = await k.run([
      'get',
      '--raw',
      `${LOGS}/pipelinerunlogs/ci-pass/log`,
      `--as=system:serviceaccount:${NS}:nobody`,
    ]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('forbidden');
    const before = await raw('/pipelinerunlogs/ci-pass/log');
    await k.ok(['delete', 'pods', '-n', NS, '-l', 'tekton.dev/pipelineRun=ci-pass', '--wait=true']);
    expect((await k.ok(['get', 'pods', '-n', NS, '-l', 'tekton.dev/pipelineRun=ci-pass', '-o', 'name'])).trim()).toBe(
      '',
    );
    expect(await raw('/pipelinerunlogs/ci-pass/log')).toBe(before);
    await wharf.restart({ extraArgs: ['--nodes', '1'] });
    k = new Kubectl(wharf.kubeconfig);
    // The APIService becomes Available again once the log server answers its discovery.
    const after = await eventually(() => raw('/pipelinerunlogs/ci-pass/log'), 60_000, 'the log API after a restart');
    expect(after).toBe(before);
    expect(after).toContain('[build:publish] using token ***');
  }, 150_000);
});
