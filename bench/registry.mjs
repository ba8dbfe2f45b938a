// Registry throughput: a 100 MB image pushed and pulled with skopeo, and a 100 MB blob sent and
// fetched with plain HTTPS requests, against Wharf's built-in registry and Debian's docker-registry
// (distribution 2.8) side by side on this machine, both over TLS with the same certificate.
// Writes docs/benchmarks/registry.md. Run after a build: `node bench/registry.mjs`
// (BENCH_REPS repetitions of each operation, default 5; BENCH_LAYERS × BENCH_LAYER_MB, default 4 × 25).
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { cleanup, onCleanup, startWharfCleanly, wasInterrupted } from './lib/cleanup.mjs';
import { machineFacts, machineTable } from './lib/machine.mjs';
import { REPO_ROOT, freePort, procStats, stopProcess, tempDir } from './lib/procs.mjs';
import { fmtNum, fmtRatio, quantile } from './lib/stats.mjs';

const run = promisify(execFile);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const LAYERS = Number(process.env.BENCH_LAYERS ?? 4);
const LAYER_BYTES = Number(process.env.BENCH_LAYER_MB ?? 25) * 1e6;
const REGISTRY_BIN = '/usr/bin/docker-registry';
const OUT = join(REPO_ROOT, 'docs/benchmarks/registry.md');

const sha256 = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A ustar archive holding one regular file. */
function tarOne(name, data) {
  const h = Buffer.alloc(512);
  const field = (off, len, s) => h.write(s, off, len, 'ascii');
  const octal = (off, len, n) => field(off, len, `${n.toString(8).padStart(len - 1, '0')}\0`);
  field(0, 100, name);
  octal(100, 8, 0o644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, data.length);
  octal(136, 12, 0);
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 8, 'ustar\u000000');
  let sum = 0;
  for (const b of h) sum += b;
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad, Buffer.alloc(1024)]);
}

/**
 * An OCI layout dir with one image (ref "bench") of LAYERS layers of fresh random bytes, gzip
 * framed without compression (level 0): random data does not compress, and gzip layers are what
 * clients keep as they are (skopeo would gzip uncompressed layers on the way to a registry).
 */
function makeImage(dir) {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true });
  const put = (b) => {
    const d = sha256(b);
    writeFileSync(join(dir, 'blobs/sha256', d.slice(7)), b);
    return { digest: d, size: b.length };
  };
  const layers = [];
  const diffIds = [];
  for (let i = 0; i < LAYERS; i++) {
    const tar = tarOne(`data-${i}.bin`, randomBytes(LAYER_BYTES));
    diffIds.push(sha256(tar));
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzipSync(tar, { level: 0 })) });
  }
  const config = {
    mediaType: 'application/vnd.oci.image.config.v1+json',
    ...put(
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: {},
          rootfs: { type: 'layers', diff_ids: diffIds },
        }),
      ),
    ),
  };
  const manifest = put(
    Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': 'bench' },
        },
      ],
    }),
  );
  return layers.reduce((n, l) => n + l.size, config.size + manifest.size);
}

function dirBytes(dir) {
  return readdirSync(join(dir, 'blobs/sha256')).reduce((n, f) => n + statSync(join(dir, 'blobs/sha256', f)).size, 0);
}

/** GET /v2/ over TLS, certificate not checked (readiness only); resolves with the status or 0. */
function probe(port) {
  return new Promise((resolve) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/v2/', agent: false, rejectUnauthorized: false, timeout: 1000 },
      (r) => {
        r.resume();
        resolve(r.statusCode);
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/** docker-registry on loopback with TLS, filesystem storage in a temp dir, access log off. */
async function startDockerRegistry(pkiDir) {
  const dir = tempDir('docker-registry-bench-');
  const port = await freePort();
  for (const f of ['apiserver.crt', 'apiserver.key']) copyFileSync(join(pkiDir, f), join(dir, f));
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  tls:
    certificate: ${join(dir, 'apiserver.crt')}
    key: ${join(dir, 'apiserver.key')}
`,
  );
  const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.output = '';
  child.stdout.on('data', (d) => (child.output += d));
  child.stderr.on('data', (d) => (child.output += d));
  child.exited = new Promise((r) => child.on('exit', r));
  onCleanup(async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  });
  const end = performance.now() + 30_000;
  while ((await probe(port)) !== 200) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}:\n${child.output}`);
    if (performance.now() > end) throw new Error(`docker-registry not ready in 30 s:\n${child.output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { name: 'docker-registry', pid: child.pid, port, host: `127.0.0.1:${port}` };
}

/** Runs `fn` and returns its wall time (ms) and the server process's CPU time meanwhile. */
async function timed(pid, fn) {
  const c0 = procStats(pid).cpuMs;
  const t0 = performance.now();
  await fn();
  return { ms: performance.now() - t0, cpuMs: procStats(pid).cpuMs - c0 };
}

/** One HTTPS request; the body is sent in one piece, the response is hashed and counted, not kept. */
function request(agent, target, method, path, { body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: target.port,
        method,
        path,
        agent,
        headers: {
          ...target.auth,
          ...(body ? { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } : {}),
          ...headers,
        },
      },
      (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (c) => {
          bytes += c.length;
          hash.update(c);
        });
        res.on('end', () => {
          if (res.statusCode >= 300) reject(new Error(`${target.name} ${method} ${path} → ${res.statusCode}`));
          else resolve({ headers: res.headers, bytes, digest: `sha256:${hash.digest('hex')}` });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Monolithic upload (POST a session, PUT the whole blob with its digest), then GET it back. */
async function rawRound(target, agent, repo, blob) {
  const digest = sha256(blob);
  const push = await timed(target.pid, async () => {
    const started = await request(agent, target, 'POST', `/v2/${repo}/blobs/uploads/`);
    const loc = new URL(started.headers.location, `https://${target.host}`);
    loc.searchParams.set('digest', digest);
    await request(agent, target, 'PUT', `${loc.pathname}${loc.search}`, { body: blob });
  });
  let got;
  const pull = await timed(target.pid, async () => {
    got = await request(agent, target, 'GET', `/v2/${repo}/blobs/${digest}`);
  });
  if (got.bytes !== blob.length || got.digest !== digest)
    throw new Error(
      `${target.name}: GET returned ${got.bytes} bytes, ${got.digest}, expected ${blob.length}, ${digest}`,
    );
  return { push, pull };
}

function skopeo(args) {
  return run('skopeo', ['--insecure-policy', ...args], { timeout: 600_000, maxBuffer: 16 << 20 });
}

async function skopeoRound(target, certDir, layout, repo, pullDir) {
  const creds = (flag) => (target.creds ? [flag, target.creds] : []);
  const ref = `docker://${target.host}/${repo}:v1`;
  const push = await timed(target.pid, () =>
    skopeo(['copy', '--quiet', '--dest-cert-dir', certDir, ...creds('--dest-creds'), `oci:${layout}:bench`, ref]),
  );
  const pull = await timed(target.pid, () =>
    skopeo(['copy', '--quiet', '--src-cert-dir', certDir, ...creds('--src-creds'), ref, `oci:${pullDir}:bench`]),
  );
  return { push, pull };
}

function summary(samples, bytes) {
  const mbps = Float64Array.from(samples.map((s) => bytes / 1e6 / (s.ms / 1000))).sort();
  const cpuPerGb = Float64Array.from(samples.map((s) => (s.cpuMs / 1000) * (1e9 / bytes))).sort();
  return {
    p50: quantile(mbps, 0.5),
    min: mbps[0],
    max: mbps[mbps.length - 1],
    cpuPerGb: quantile(cpuPerGb, 0.5),
    n: samples.length,
  };
}

async function main() {
  for (const [bin, pkg] of [
    [REGISTRY_BIN, 'docker-registry'],
    ['/usr/bin/skopeo', 'skopeo'],
  ]) {
    try {
      statSync(bin);
    } catch {
      throw new Error(`${bin} missing: apt-get install ${pkg} (bash scripts/setup.sh --bench)`);
    }
  }
  const started = performance.now();
  const load0 = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const versions = {
    registry: (await run(REGISTRY_BIN, ['--version'])).stdout.trim().split(' ').pop(),
    skopeo: (await run('skopeo', ['--version'])).stdout.trim().split(' ').pop(),
  };

  const w = await startWharfCleanly(['--nodes', '0']);
  const endpoints = JSON.parse(readFileSync(join(w.dataDir, 'endpoints.json'), 'utf8'));
  const wharf = {
    name: 'Wharf',
    pid: w.pid,
    host: endpoints.registryHost,
    port: Number(endpoints.registryHost.split(':')[1]),
    creds: `bench:${w.token}`,
    auth: { Authorization: `Bearer ${w.token}` },
  };
  const reference = { ...(await startDockerRegistry(join(w.dataDir, 'pki'))), auth: {} };
  const targets = [wharf, reference];

  const work = tempDir('registry-bench-');
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const certDir = join(work, 'certs');
  mkdirSync(certDir);
  writeFileSync(join(certDir, 'ca.crt'), w.ca);

  const results = { skopeo: { Wharf: [], 'docker-registry': [] }, raw: { Wharf: [], 'docker-registry': [] } };
  let imageBytes = 0;
  // Rep 0 warms both servers and the client (not counted). Every rep uses fresh random bytes and
  // new repository names, so no registry already holds a blob and every byte is really sent.
  for (let rep = 0; rep <= REPS; rep++) {
    const layout = join(work, `image-${rep}`);
    imageBytes = makeImage(layout);
    const order = rep % 2 ? [...targets].reverse() : targets;
    for (const t of order) {
      const pullDir = join(work, `pulled-${rep}-${t.name}`);
      const r = await skopeoRound(t, certDir, layout, `bench/skopeo-${rep}`, pullDir);
      const pulled = dirBytes(pullDir);
      if (pulled !== imageBytes) throw new Error(`${t.name}: pulled ${pulled} bytes, pushed ${imageBytes}`);
      rmSync(pullDir, { recursive: true, force: true });
      if (rep > 0) results.skopeo[t.name].push(r);
      console.log(
        `  skopeo ${rep ? `rep ${rep}` : 'warm-up'} ${t.name}: push ${(imageBytes / 1e3 / r.push.ms).toFixed(0)} MB/s, pull ${(imageBytes / 1e3 / r.pull.ms).toFixed(0)} MB/s`,
      );
    }
    rmSync(layout, { recursive: true, force: true });
  }
  const rawBytes = LAYERS * LAYER_BYTES;
  for (const t of targets) t.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: w.ca });
  for (let rep = 0; rep <= REPS; rep++) {
    const blob = randomBytes(rawBytes);
    const order = rep % 2 ? [...targets].reverse() : targets;
    for (const t of order) {
      const r = await rawRound(t, t.agent, `bench/raw-${rep}`, blob);
      if (rep > 0) results.raw[t.name].push(r);
      console.log(
        `  HTTP ${rep ? `rep ${rep}` : 'warm-up'} ${t.name}: PUT ${(rawBytes / 1e3 / r.push.ms).toFixed(0)} MB/s, GET ${(rawBytes / 1e3 / r.pull.ms).toFixed(0)} MB/s`,
      );
    }
  }
  for (const t of targets) t.agent.destroy();

  const rows = [];
  for (const [client, op, kind, dir, bytes] of [
    ['skopeo copy', 'push (oci: → docker://)', 'skopeo', 'push', imageBytes],
    ['skopeo copy', 'pull (docker:// → oci:)', 'skopeo', 'pull', imageBytes],
    ['HTTPS, one request', 'monolithic blob PUT', 'raw', 'push', rawBytes],
    ['HTTPS, one request', 'blob GET', 'raw', 'pull', rawBytes],
  ]) {
    const s = (name) =>
      summary(
        results[kind][name].map((r) => r[dir]),
        bytes,
      );
    rows.push({ client, op, wharf: s('Wharf'), ref: s('docker-registry') });
  }
  const md = render(rows, {
    ...machineFacts({ load: load0, ...versions }),
    runtimeS: Math.round((performance.now() - started) / 1000),
    imageBytes,
    rawBytes,
  });
  writeFileSync(OUT, md);
  console.log(`\n${md}`);
}

function render(rows, m) {
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  const range = (s) => `${fmtNum(s.min)}–${fmtNum(s.max)}`;
  const cpu = (v) => (Number.isFinite(v) ? v.toFixed(2) : '–');
  return `# Registry throughput benchmark

Generated by \`node bench/registry.mjs\` on ${m.date}. Re-running it overwrites this file.

${machineTable(
  m,
  [
    ['docker-registry (reference)', `${m.registry} (Debian docker-registry, distribution)`],
    ['skopeo', m.skopeo],
  ],
  `${m.runtimeS} s`,
)}

## How to run

\`\`\`sh
bash scripts/setup.sh --bench && node bench/registry.mjs   # installs docker-registry and skopeo if missing (root)
BENCH_REPS=10 node bench/registry.mjs                        # more repetitions
\`\`\`

Wharf's registry is the one \`wharf up --nodes 0\` serves (HTTPS with the cluster CA's serving
certificate, a cluster token as the password). Debian's \`docker-registry\` runs beside it on
loopback with a temp config: filesystem storage in a temp dir, the in-memory blob descriptor cache
(Debian's default), access log off, and **TLS with the same certificate and key** (copied from
the Wharf data dir), so both are reached over the same transport and clients check both against
the same CA. docker-registry runs without auth; Wharf checks the admin token on every request (a
constant-time comparison with its few static tokens). Both store blobs on the same ext4 file system.

- **skopeo copy**: an image of ${m.imageBytes.toLocaleString('en-US')} bytes (${mb(m.imageBytes)}: ${LAYERS} layers of ${mb(LAYER_BYTES)} of random
  bytes in gzip framing without compression, a config and a manifest), made as an OCI layout dir,
  pushed with \`skopeo copy oci:DIR:bench docker://HOST/bench/skopeo-N:v1\` and pulled back to an
  empty dir with \`skopeo copy docker://… oci:EMPTY:bench\` (the pulled dir's blobs are checked to
  add up to the pushed bytes). Time is the skopeo process's wall time, including its start,
  the existence checks and the manifest.
- **HTTPS, one request**: a ${mb(m.rawBytes)} blob of random bytes from memory, uploaded monolithically
  (\`POST /v2/<name>/blobs/uploads/\`, then one \`PUT <location>?digest=…\` with the whole body) and
  read back with \`GET /v2/<name>/blobs/<digest>\` (sha256 of the response checked), over one
  keep-alive connection from node's \`https\`. This separates the servers from skopeo's own cost.
- ${REPS} measured repetitions of each, after one unmeasured warm-up round; the two registries
  alternate which goes first. Every repetition uses fresh random bytes and a new repository, so no
  blob is already present (neither registry can skip the upload, nor can skopeo mount it).
- MB/s is 10⁶ bytes per second. **CPU s/GB** is the CPU time of the registry's process per GB
  moved (for Wharf, the whole \`wharf up\` process, idle otherwise).

| client | operation | Wharf MB/s p50 | docker-registry MB/s p50 | Wharf / docker-registry | Wharf min–max | docker-registry min–max | Wharf CPU s/GB | docker-registry CPU s/GB |
|---|---|---:|---:|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.client} | ${r.op} | ${fmtNum(r.wharf.p50)} | ${fmtNum(r.ref.p50)} | ${fmtRatio(r.wharf.p50 / r.ref.p50)} | ${range(r.wharf)} | ${range(r.ref)} | ${cpu(r.wharf.cpuPerGb)} | ${cpu(r.ref.cpuPerGb)} |`).join('\n')}

The client (skopeo or the benchmark's node process), the server and the page cache share the
machine's ${m.nproc} cores: TLS encryption and sha256 happen on both ends, so the ratios are of whole
systems on one machine, not of the servers alone; compare runs, not single cells.
`;
}

main()
  .catch((e) => {
    if (!wasInterrupted()) {
      console.error(e);
      process.exitCode = 1;
    }
  })
  .finally(() => cleanup());
