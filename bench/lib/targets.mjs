// The two systems under test behind one interface, so the same load driver and HTTP client run
// the same workload against both: Wharf through the Kubernetes REST API (ConfigMaps), etcd through
// its JSON gateway with the transactions kube-apiserver itself sends (create = put if the key does
// not exist, update = put if mod_revision is unchanged).
import { randomBytes } from 'node:crypto';
import { Client, HttpError } from './http.mjs';

const FILLER = randomBytes(600).toString('base64').slice(0, 700);

/** A realistic ConfigMap of about 1 KB as JSON: labels, an annotation and a few data keys. */
export function configMap(namespace, name, seq = 0) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: { app: 'bench', tier: 'backend', 'app.kubernetes.io/managed-by': 'wharf-bench' },
      annotations: { 'bench.wharf.dev/owner': 'apiserver-benchmark' },
    },
    data: {
      'app.properties': `listen.port=8080\nlog.level=info\nworker.count=4\nseq=${seq}\n`,
      'feature-flags': 'alpha=false,beta=true,gamma=false',
      blob: FILLER,
    },
  };
}

export class WharfTarget {
  constructor(w) {
    this.name = 'Wharf';
    this.client = new Client({
      host: '127.0.0.1',
      port: w.port,
      ca: w.ca,
      headers: { Authorization: `Bearer ${w.token}` },
    });
  }

  /** A cheap request; the load driver uses it to open one keep-alive connection per client. */
  ping() {
    return this.client.request('GET', '/readyz');
  }

  async prepare(ns) {
    try {
      await this.client.request('POST', '/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 409)) throw e;
    }
  }

  async create(ns, name, seq = 0) {
    const o = await this.client.json('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, name, seq));
    return { ns, name, rv: o.metadata.resourceVersion };
  }

  async update(h, seq) {
    const body = configMap(h.ns, h.name, seq);
    body.metadata.resourceVersion = h.rv;
    const o = await this.client.json('PUT', `/api/v1/namespaces/${h.ns}/configmaps/${h.name}`, body);
    h.rv = o.metadata.resourceVersion;
  }

  /** A JSON merge patch changing one data key (what `kubectl patch --type=merge` sends). */
  async mergePatch(h, seq) {
    const body = { data: { 'app.properties': configMap(h.ns, h.name, seq).data['app.properties'] } };
    await this.client.request('PATCH', `/api/v1/namespaces/${h.ns}/configmaps/${h.name}`, body, {
      'Content-Type': 'application/merge-patch+json',
    });
  }

  /** Server-side apply of the whole ConfigMap with the same key changed (an applier sends its full intent; force, as controllers do, since the merge patches take the key over). */
  async apply(h, seq) {
    const body = configMap(h.ns, h.name, seq);
    await this.client.request(
      'PATCH',
      `/api/v1/namespaces/${h.ns}/configmaps/${h.name}?fieldManager=bench-applier&force=true`,
      body,
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
  }

  async get(h) {
    const o = await this.client.json('GET', `/api/v1/namespaces/${h.ns}/configmaps/${h.name}`);
    if (o.metadata.name !== h.name) throw new Error('wrong object');
  }

  /** Lists a namespace; with `limit`, follows `continue` to the end. Returns the item count. */
  async list(ns, limit) {
    let n = 0;
    let cont = '';
    do {
      const q = limit ? `?limit=${limit}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}` : '';
      const l = await this.client.json('GET', `/api/v1/namespaces/${ns}/configmaps${q}`);
      n += l.items.length;
      cont = l.metadata.continue ?? '';
    } while (cont);
    return n;
  }

  close() {
    this.client.close();
  }
}

const b64 = (s) => Buffer.from(s).toString('base64');

/** The first key after every key with this prefix (etcd's range_end for a prefix). */
function prefixEnd(prefix) {
  const b = Buffer.from(prefix);
  b[b.length - 1]++;
  return b.toString('base64');
}

export class EtcdTarget {
  constructor(e) {
    this.name = 'etcd';
    this.client = new Client({ host: '127.0.0.1', port: e.port, ca: e.ca });
  }

  key(ns, name) {
    return `/registry/configmaps/${ns}/${name}`;
  }

  ping() {
    return this.client.request('GET', '/health');
  }

  async prepare() {}

  async create(ns, name, seq = 0) {
    const key = b64(this.key(ns, name));
    const r = await this.client.json('POST', '/v3/kv/txn', {
      compare: [{ key, target: 'CREATE', create_revision: '0', result: 'EQUAL' }],
      success: [{ request_put: { key, value: b64(JSON.stringify(configMap(ns, name, seq))) } }],
    });
    if (!r.succeeded) throw new Error(`etcd create of ${name} did not succeed`);
    return { ns, name, rv: r.header.revision };
  }

  async update(h, seq) {
    const key = b64(this.key(h.ns, h.name));
    const r = await this.client.json('POST', '/v3/kv/txn', {
      compare: [{ key, target: 'MOD', mod_revision: h.rv, result: 'EQUAL' }],
      success: [{ request_put: { key, value: b64(JSON.stringify(configMap(h.ns, h.name, seq))) } }],
    });
    if (!r.succeeded) throw new Error(`etcd update of ${h.name} conflicted`);
    h.rv = r.header.revision;
  }

  async get(h) {
    const r = await this.client.json('POST', '/v3/kv/range', { key: b64(this.key(h.ns, h.name)) });
    const kv = r.kvs?.[0];
    if (!kv) throw new Error(`etcd get of ${h.name}: not found`);
    JSON.parse(Buffer.from(kv.value, 'base64').toString('utf8'));
  }

  async list(ns, limit) {
    const prefix = `/registry/configmaps/${ns}/`;
    const end = prefixEnd(prefix);
    let n = 0;
    let key = b64(prefix);
    let revision; // later pages read at the first page's revision, as a consistent list does
    for (;;) {
      const r = await this.client.json('POST', '/v3/kv/range', {
        key,
        range_end: end,
        ...(limit ? { limit: String(limit) } : {}),
        ...(revision ? { revision } : {}),
      });
      revision ??= r.header.revision;
      const kvs = r.kvs ?? [];
      for (const kv of kvs) JSON.parse(Buffer.from(kv.value, 'base64').toString('utf8'));
      n += kvs.length;
      if (!limit || !r.more || kvs.length === 0) return n;
      // Next page starts just after the last key: append a zero byte.
      key = Buffer.concat([Buffer.from(kvs[kvs.length - 1].key, 'base64'), Buffer.from([0])]).toString('base64');
    }
  }

  close() {
    this.client.close();
  }
}
