// The HorizontalPodAutoscaler end to end on `wharf up --nodes 1` with real runc pods: a busy pod
// far above its CPU request makes an autoscaling/v2 HPA scale its Deployment up to maxReplicas (with
// ScalingLimited/TooManyReplicas and SuccessfulRescale events kubectl describe shows); once the
// pods are idle, a scale-down window of 0 brings it back to minReplicas. Metrics come from the node's
// cgroups through metrics.k8s.io, as on a real cluster with metrics-server. kubectl autoscale
// (1.32 and 1.20) writes autoscaling/v1, served by conversion from the stored v2.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBusyboxImage,
  eventually,
  Kubectl,
  KUBECTL_120,
  runcUnavailable,
  WHARF_BIN,
  WharfProcess,
} from '@wharf/testing';

const skip = runcUnavailable();

const deployment = (command: string): string => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: burn, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: burn}}
  template:
    metadata: {labels: {app: burn}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox:1
        command: [sh, -c, '${command}']
        resources: {requests: {cpu: 20m}, limits: {cpu: 100m}}
`;

const hpa = (name: string, target: string, max: number): string => `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: ${name}, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${target}}
  minReplicas: 1
  maxReplicas: ${max}
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
`;

describe.skipIf(skip !== '')(`HorizontalPodAutoscaler on real pods ${skip}`, () => {
  let wharf: WharfProcess;
  let k: Kubectl;
  const replicas = async (): Promise<number> =>
    Number((await k.ok(['get', 'deployment', 'burn', '-o', 'jsonpath={.spec.replicas}'])).trim());

  beforeAll(async () => {
    // Synced every 5 s, not 15: the test waits for syncs (the scale, then the sync that reports it).
    wharf = await WharfProcess.start({
      extraArgs: ['--nodes', '1', '--horizontal-pod-autoscaler-sync-period', '5'],
    });
    k = new Kubectl(wharf.kubeconfig);
    await buildBusyboxImage(wharf.dataDir);
  });

  afterAll(async () => {
    // Containers outlive `wharf up` by design: reset removes this cluster's busy pods.
    await wharf?.stop();
    if (wharf) execFileSync(process.execPath, [WHARF_BIN, 'reset', '--data-dir', wharf.dataDir]);
  });

  it('an HPA scales a busy Deployment up to maxReplicas and says why', { timeout: 180_000 }, async () => {
    await k.ok(['apply', '-f', '-'], { stdin: deployment('while true; do :; done') });
    await k.ok(['rollout', 'status', 'deployment/burn', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(await k.ok(['apply', '-f', '-'], { stdin: hpa('burn', 'burn', 3) })).toBe(
      'horizontalpodautoscaler.autoscaling/burn created\n',
    );
    // ~100m used of 20m requested is ~500 % against 50 %: five pods wanted, three allowed.
    await eventually(async () => ((await replicas()) === 3 ? true : undefined), 120_000, 'the Deployment scaled to 3');
    const got = JSON.parse(await k.ok(['get', 'hpa', 'burn', '-o', 'json']));
    expect(got.status.desiredReplicas).toBe(3);
    expect(got.status.currentMetrics[0].resource.name).toBe('cpu');
    expect(got.status.currentMetrics[0].resource.current.averageUtilization).toBeGreaterThan(100);
    const conditions = Object.fromEntries(
      (got.status.conditions as { type: string; status: string; reason: string }[]).map((c) => [
        c.type,
        `${c.status}/${c.reason}`,
      ]),
    );
    expect(conditions.ScalingActive).toBe('True/ValidMetricFound');
    await eventually(
      async () => {
        const d = await k.ok(['describe', 'hpa', 'burn']);
        return /SuccessfulRescale\s.*New size: 3; reason: cpu resource utilization \(percentage of request\) above target/.test(
          d,
        )
          ? d
          : undefined;
      },
      30_000,
      'the SuccessfulRescale event',
    );
    // REPLICAS is what the controller saw on its last sync: 3 from the sync after the scale.
    const row = /burn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+3\s+3\s/;
    await eventually(
      async () => (row.test(await k.ok(['get', 'hpa', 'burn'])) ? true : undefined),
      45_000,
      'kubectl get hpa showing 3 replicas',
    );
  });

  it(
    'scales back to minReplicas once the pods are idle, right away with a scale-down window of 0',
    { timeout: 240_000 },
    async () => {
      await k.ok([
        'patch',
        'hpa',
        'burn',
        '--type=merge',
        '-p',
        '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":0}}}}',
      ]);
      // A patch, not an apply of the manifest: its replicas: 1 would undo the HPA's scale by itself.
      await k.ok([
        'patch',
        'deployment',
        'burn',
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/spec/template/spec/containers/0/command","value":["sleep","100000"]}]',
      ]);
      expect(await replicas()).toBe(3);
      await eventually(
        async () => ((await replicas()) === 1 ? true : undefined),
        180_000,
        'the Deployment scaled back to 1',
      );
      // The status follows the scale write.
      await eventually(
        async () => {
          const limited = await k.ok([
            'get',
            'hpa',
            'burn',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="ScalingLimited")].reason}',
          ]);
          return /^(TooFewReplicas|DesiredWithinRange)$/.test(limited.trim()) ? true : undefined;
        },
        30_000,
        'ScalingLimited no longer TooManyReplicas',
      );
      expect((await k.ok(['get', 'hpa', 'burn', '-o', 'jsonpath={.status.desiredReplicas}'])).trim()).toBe('1');
    },
  );

  it('kubectl autoscale (autoscaling/v1) makes an HPA read back in v2, and v1 round trips keep what v1 cannot say', async () => {
    expect(
      await k.ok(['autoscale', 'deployment', 'burn', '--name=auto', '--min=2', '--max=4', '--cpu-percent=60']),
    ).toBe('horizontalpodautoscaler.autoscaling/auto autoscaled\n');
    const v2 = JSON.parse(await k.ok(['get', 'horizontalpodautoscalers.v2.autoscaling', 'auto', '-o', 'json'])) as {
      apiVersion: string;
      spec: Record<string, unknown>;
      metadata: { annotations?: Record<string, string> };
    };
    expect(v2.apiVersion).toBe('autoscaling/v2');
    expect(v2.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 4,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
      ],
    });
    // A behavior set in v2 survives a write through v1, which has no field for it.
    await k.ok([
      'patch',
      'horizontalpodautoscalers.v2.autoscaling',
      'auto',
      '--type=merge',
      '-p',
      '{"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":30}}}}',
    ]);
    await k.ok([
      'patch',
      'horizontalpodautoscalers.v1.autoscaling',
      'auto',
      '--type=merge',
      '-p',
      '{"spec":{"maxReplicas":5,"targetCPUUtilizationPercentage":70}}',
    ]);
    const v1 = JSON.parse(await k.ok(['get', 'horizontalpodautoscalers.v1.autoscaling', 'auto', '-o', 'json'])) as {
      apiVersion: string;
      spec: Record<string, unknown>;
      metadata: { annotations?: Record<string, string> };
    };
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burn' },
      minReplicas: 2,
      maxReplicas: 5,
      targetCPUUtilizationPercentage: 70,
    });
    expect(JSON.parse(v1.metadata.annotations?.['autoscaling.alpha.kubernetes.io/behavior'] ?? '{}')).toMatchObject({
      scaleDown: { stabilizationWindowSeconds: 30 },
    });
    const back = JSON.parse(
      await k.ok(['get', 'horizontalpodautoscalers.v2.autoscaling', 'auto', '-o', 'json']),
    ) as typeof v2;
    expect(back.spec).toMatchObject({
      maxReplicas: 5,
      behavior: { scaleDown: { stabilizationWindowSeconds: 30 } },
      metrics: [{ resource: { target: { averageUtilization: 70 } } }],
    });
    expect(back.metadata.annotations ?? {}).toEqual({});
    // kubectl 1.20 knows only v1.
    const old = new Kubectl(wharf.kubeconfig, KUBECTL_120);
    expect(await old.ok(['autoscale', 'deployment', 'burn', '--name=auto-120', '--max=3'])).toBe(
      'horizontalpodautoscaler.autoscaling/auto-120 autoscaled\n',
    );
    expect(
      await old.ok([
        'get',
        'horizontalpodautoscalers.v1.autoscaling',
        'auto-120',
        '-o',
        'jsonpath={.apiVersion} {.spec.maxReplicas}',
      ]),
    ).toBe('autoscaling/v1 3');
    expect(
      JSON.parse(
        await k.ok(['get', 'horizontalpodautoscalers.v2.autoscaling', 'auto-120', '-o', 'jsonpath={.spec.metrics}']),
      ),
    ).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
    await k.ok(['delete', 'hpa', 'auto', 'auto-120']);
  });

  it('reports a target that does not exist instead of scaling anything', async () => {
    await k.ok(['apply', '-f', '-'], { stdin: hpa('ghost', 'nothing', 2) });
    const cond = await eventually(
      async () => {
        const out = await k.ok([
          'get',
          'hpa',
          'ghost',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="AbleToScale")].reason}',
        ]);
        return out.trim() === 'FailedGetScale' ? out : undefined;
      },
      60_000,
      'AbleToScale=False/FailedGetScale',
    );
    expect(cond.trim()).toBe('FailedGetScale');
  });
});
