// What an admission extension point costs a write: ConfigMap creates in a plain namespace, in one
// reviewed by a validating webhook (an HTTPS server in this process, allowing everything), and in
// one bound to a ValidatingAdmissionPolicy with one CEL rule, at the same client counts. Before the
// cells, each extension proves it is live (the webhook counts its calls, the rule refuses a bad key).
// The three variants run in alternating quarter-second slices (their order rotating), so the other
// processes of a shared machine weigh on each alike; server CPU per create is reported beside the
// latencies as the measure that load disturbs least.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpError } from './http.mjs';
import { loadavg } from 'node:os';
import { runLoad, summarize } from './stats.mjs';
import { measured } from './suite.mjs';

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI. */
function loopbackCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-hook-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An AdmissionReview server that allows every request and counts them. */
async function allowingWebhook() {
  const { cert, key } = loopbackCertificate();
  const server = https.createServer({ cert, key }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      server.calls++;
      const { request } = JSON.parse(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid: request.uid, allowed: true },
        }),
      );
    });
  });
  server.calls = 0;
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `https://127.0.0.1:${server.address().port}/validate`,
    caBundle: Buffer.from(cert).toString('base64'),
  };
}

async function createIgnoringConflict(client, path, body) {
  try {
    await client.request('POST', path, body);
  } catch (e) {
    if (!(e instanceof HttpError && e.status === 409)) throw e;
  }
}

/** How long each variant runs before the next takes over. */
const SLICE_MS = 250;

const NAMESPACES = { plain: 'bench-ext-plain', webhook: 'bench-ext-webhook', cel: 'bench-ext-cel' };

/** Sets up the namespaces and both extensions; returns the webhook server. */
async function setUp(client) {
  const ns = (name, labels) =>
    createIgnoringConflict(client, '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels },
    });
  await ns(NAMESPACES.plain, {});
  await ns(NAMESPACES.webhook, { 'bench-extension': 'webhook' });
  await ns(NAMESPACES.cel, { 'bench-extension': 'cel' });
  const hook = await allowingWebhook();
  const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }];
  await createIgnoringConflict(client, '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'bench-allow' },
    webhooks: [
      {
        name: 'allow.bench.wharf.dev',
        clientConfig: { url: hook.url, caBundle: hook.caBundle },
        rules,
        namespaceSelector: { matchLabels: { 'bench-extension': 'webhook' } },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
      },
    ],
  });
  await createIgnoringConflict(client, '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'bench-short-keys' },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: rules },
      validations: [
        {
          expression: '!has(object.data) || object.data.all(k, size(k) <= 64)',
          message: 'data keys are at most 64 characters',
        },
      ],
    },
  });
  await createIgnoringConflict(client, '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'bench-short-keys' },
    spec: {
      policyName: 'bench-short-keys',
      validationActions: ['Deny'],
      matchResources: { namespaceSelector: { matchLabels: { 'bench-extension': 'cel' } } },
    },
  });
  return hook;
}

/** Proves both extensions act on creates before anything is timed. */
async function proveLive(target, client, hook) {
  const before = hook.server.calls;
  await target.create(NAMESPACES.webhook, 'prove-webhook', 0);
  if (hook.server.calls <= before) throw new Error('the webhook was not called for a create in its namespace');
  const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'prove-cel' }, data: { ['k'.repeat(65)]: 'v' } };
  try {
    await client.request('POST', `/api/v1/namespaces/${NAMESPACES.cel}/configmaps`, bad);
  } catch (e) {
    if (e instanceof HttpError && e.status === 422) return;
    throw e;
  }
  throw new Error('the CEL rule did not refuse a 65-character key');
}

/** Rows of { variant, c, ...measured } for creates under each extension. */
export async function extensionCost(target, { pid, seconds, concurrencies }) {
  const hook = await setUp(target.client);
  try {
    // Policies and webhook configurations are read from the API server's cache: wait until both act.
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        await proveLive(target, target.client, hook);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await target.client
          .request('DELETE', `/api/v1/namespaces/${NAMESPACES.webhook}/configmaps/prove-webhook`)
          .catch(() => undefined);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const rows = [];
    const load = loadavg()
      .map((x) => x.toFixed(2))
      .join(', ');
    const variants = Object.entries(NAMESPACES);
    for (const c of concurrencies) {
      await runLoad({ concurrency: c, count: c * 4, op: () => target.ping() });
      const acc = new Map(
        variants.map(([v]) => [
          v,
          { latencies: [], elapsedMs: 0, serverMs: 0, clientMs: 0, otherMs: 0, errors: 0, firstError: undefined },
        ]),
      );
      const rounds = Math.max(1, Math.round((seconds * 1000) / SLICE_MS));
      for (let round = 0; round < rounds; round++) {
        for (let j = 0; j < variants.length; j++) {
          const [variant, ns] = variants[(round + j) % variants.length];
          const a = acc.get(variant);
          let i = a.latencies.length + a.errors;
          const r = await measured(pid, () =>
            runLoad({
              concurrency: c,
              durationMs: SLICE_MS,
              keepLatencies: true,
              op: () => target.create(ns, `c${c}-${i++}`, i),
            }),
          );
          a.latencies.push(...r.latencies);
          a.elapsedMs += r.elapsedMs;
          a.serverMs += r.serverMs;
          a.clientMs += (r.clientCpu * r.elapsedMs) / 100;
          a.otherMs += (r.otherCpu * r.elapsedMs) / 100;
          a.errors += r.errors;
          a.firstError ??= r.firstError;
        }
      }
      for (const [variant] of variants) {
        const a = acc.get(variant);
        if (a.errors) throw new Error(`${variant} creates c=${c}: ${a.errors} failed, first: ${a.firstError?.message}`);
        const s = summarize(a.latencies);
        const r = {
          ...s,
          errors: 0,
          elapsedMs: a.elapsedMs,
          opsPerSec: (s.n / a.elapsedMs) * 1000,
          serverMs: a.serverMs,
          serverCpu: (a.serverMs / a.elapsedMs) * 100,
          clientCpu: (a.clientMs / a.elapsedMs) * 100,
          otherCpu: (a.otherMs / a.elapsedMs) * 100,
        };
        rows.push({ variant, c, ...r });
        console.log(
          `  ${target.name} create (${variant.padEnd(7)}) c=${String(c).padEnd(2)} ${r.opsPerSec.toFixed(0).padStart(6)} ops/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  server ${((r.serverMs / r.n) * 1000).toFixed(0)} µs/op`,
        );
      }
    }
    return { rows, webhookCalls: hook.server.calls, loadAverage: load };
  } finally {
    await new Promise((resolve) => hook.server.close(resolve));
    hook.server.closeAllConnections?.();
  }
}
