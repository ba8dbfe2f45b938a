// `npm run bench:auth`: what OpenID Connect authentication costs per request. A real OpenID
// provider (@wharf/testing's OidcTestProvider: the oidc-provider package over https) signs a user
// in through `wharf login`; `wharf up --oidc-*` then serves the same GETs to that user's ID token
// (the JWKS cached after the first) and to the static admin token, alternating rounds at 1 and 8
// clients. Also times OidcAuthenticator.authenticate alone (the signature check). Writes
// docs/benchmarks/auth.md.
import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, WHARF_BIN, startWharf, stopProcess, tempDir } from './lib/procs.mjs';
import { Client } from './lib/http.mjs';
import { runLoad, fmtMs, fmtNum, fmtRatio } from './lib/stats.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { OidcTestProvider } from '../packages/testing/dist/index.js';
import { OidcAuthenticator } from '../packages/apiserver/dist/auth/oidc.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCIES = [1, 8];
const OUT = join(REPO_ROOT, 'docs/benchmarks/auth.md');

async function signIn(idp, kubeconfig, cacheDir) {
  const child = spawn(
    process.execPath,
    [
      WHARF_BIN,
      'login',
      '--issuer',
      idp.issuer,
      '--client-id',
      idp.clientId,
      '--certificate-authority',
      idp.caFile,
      '--kubeconfig',
      kubeconfig,
      '--cache-dir',
      cacheDir,
      '--no-browser',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.on('close', r));
  const deadline = Date.now() + 30_000;
  while (!/^https:\/\/\S+/m.test(err)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`wharf login printed no URL: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await idp.browse(/^https:\/\/\S+/m.exec(err)[0], { login: 'ana', password: 'x' });
  if ((await exited) !== 0) throw new Error(`wharf login failed: ${err}`);
  const [file] = readdirSync(cacheDir);
  return JSON.parse(readFileSync(join(cacheDir, file), 'utf8')).idToken;
}

async function main() {
  const m = machineFacts();
  const dir = tempDir('wharf-bench-auth-');
  const idp = await OidcTestProvider.start({ users: [{ login: 'ana', email: 'ana@example.com', groups: ['bench'] }] });
  const w = await startWharf({
    extraArgs: [
      '--no-platform',
      '--oidc-issuer-url',
      idp.issuer,
      '--oidc-client-id',
      idp.clientId,
      '--oidc-username-claim',
      'email',
      '--oidc-groups-claim',
      'groups',
      '--oidc-ca-file',
      idp.caFile,
    ],
  });
  try {
    const admin = new Client({
      host: '127.0.0.1',
      port: w.port,
      ca: w.ca,
      headers: { Authorization: `Bearer ${w.token}` },
    });
    await admin.json('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      metadata: { name: 'bench-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'Group', name: 'bench', apiGroup: 'rbac.authorization.k8s.io' }],
    });
    await admin.json('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'bench' },
      data: { a: 'b' },
    });
    const kubeconfig = join(dir, 'kubeconfig');
    copyFileSync(join(w.dataDir, 'kubeconfig'), kubeconfig);
    const idToken = await signIn(idp, kubeconfig, join(dir, 'cache'));
    const oidc = new Client({
      host: '127.0.0.1',
      port: w.port,
      ca: w.ca,
      headers: { Authorization: `Bearer ${idToken}` },
    });
    const PATH = '/api/v1/namespaces/default/configmaps/bench';
    await oidc.json('GET', PATH); // the JWKS is read once here; the rounds below use the cache
    for (let i = 0; i < 200; i++) await Promise.all([admin.request('GET', PATH), oidc.request('GET', PATH)]);

    const results = {};
    for (const c of CONCURRENCIES) {
      const runs = { static: [], oidc: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternating rounds: a burst of load from the rest of the machine hits both.
        for (const [name, client] of [
          ['static', admin],
          ['oidc', oidc],
        ]) {
          const r = await runLoad({
            concurrency: c,
            durationMs: SECONDS * 1000,
            op: () => client.request('GET', PATH),
          });
          if (r.errors) throw new Error(`${name}: ${r.errors} requests failed: ${r.firstError?.message}`);
          runs[name].push(r);
        }
      }
      const mean = (rs, k) => rs.reduce((a, r) => a + r[k], 0) / rs.length;
      const merge = (rs) => ({ opsPerSec: mean(rs, 'opsPerSec'), p50: mean(rs, 'p50'), p99: mean(rs, 'p99') });
      results[c] = { static: merge(runs.static), oidc: merge(runs.oidc) };
      console.log(
        `c=${c}: static ${fmtNum(results[c].static.opsPerSec)}/s p50 ${fmtMs(results[c].static.p50)}; oidc ${fmtNum(results[c].oidc.opsPerSec)}/s p50 ${fmtMs(results[c].oidc.p50)}`,
      );
    }

    // The authenticator alone, in this process: the JWT's RSA signature check and claims.
    const perCall = async (cacheSeconds) => {
      const a = new OidcAuthenticator({
        issuerURL: idp.issuer,
        clientID: idp.clientId,
        usernameClaim: 'email',
        groupsClaim: 'groups',
        caFile: idp.caFile,
        cacheSeconds,
      });
      await a.start();
      if (!a.authenticate(idToken)) throw new Error('the ID token does not authenticate in-process');
      const N = 5000;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) a.authenticate(idToken);
      return ((performance.now() - t0) / N) * 1000;
    };
    const perCallUs = { verify: await perCall(0), cached: await perCall(10) };
    writeFileSync(OUT, report(m, results, perCallUs));
    console.log(`wrote ${OUT}`);
  } finally {
    await stopProcess(w.child);
    await idp.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(w.dataDir, { recursive: true, force: true });
  }
}

function report(m, results, perCallUs) {
  const rows = CONCURRENCIES.map((c) => {
    const { static: s, oidc: o } = results[c];
    return `| ${c} | ${fmtNum(s.opsPerSec)} | ${fmtNum(o.opsPerSec)} | ${fmtRatio(s.opsPerSec / o.opsPerSec)} | ${fmtMs(s.p50)} | ${fmtMs(o.p50)} | ${fmtRatio(o.p50 / s.p50)} | ${fmtMs(s.p99)} | ${fmtMs(o.p99)} |`;
  });
  return `# Authentication cost: OIDC ID tokens vs a static token

\`npm run bench:auth\` (bench/auth.mjs). A real OpenID provider (the \`oidc-provider\` package over
https, from @wharf/testing) signs a user in through \`wharf login\`; \`wharf up --oidc-*\` then answers
the same \`GET\` of one ConfigMap to that user's ID token (RS256, the issuer's JWKS cached after the
first request) and to the static admin token (a map lookup), in alternating ${SECONDS} s rounds
(${ROUNDS} each, means shown) at 1 and 8 clients over keep-alive connections. Target: OIDC costs at most 1.2× a
static token per request.

${machineTable(m, [], 'no nodes')}

| clients | static req/s | OIDC req/s | static/OIDC throughput | static p50 | OIDC p50 | OIDC/static p50 | static p99 | OIDC p99 |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

The authenticator alone, in one process: checking a token (decode, RS256 signature with the cached
key, claims) takes **${perCallUs.verify.toFixed(1)} µs**; a token it verified in the last 10 s (as
kube-apiserver's cached token authenticator, never past the token's expiry) **${perCallUs.cached.toFixed(2)} µs**.
A JWT goes only to the authenticator of its issuer, so an ID token's signature is checked once, not
also against the service-account and session keys.

Run on a machine shared with other work: numbers move between runs; the ratios within a run are the
result.
`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
