// The `wharf token` verbs. A bootstrap token is a kube-system Secret of type
// bootstrap.kubernetes.io/token named bootstrap-token-<id>; its secret half is printed once, on
// create, and never listed.
import { randomInt } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { isStatus } from '@wharf/client';
import { connect } from '../kube/context.js';
import { about, CliError } from '../kube/errors.js';
import { durationSeconds } from '../kube/options.js';
import { age, outputFormat, renderObject, renderTable } from '../kube/output.js';

const NS = 'kube-system';
const TYPE = 'bootstrap.kubernetes.io/token';
const PREFIX = 'bootstrap-token-';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const path = `/api/v1/namespaces/${NS}/secrets`;

interface Common {
  kubeconfig?: string;
  output?: string;
}

const random = (n: number): string => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export async function create(o: Common & { ttl: string; description?: string; groups?: string }): Promise<void> {
  const seconds = durationSeconds('--ttl', o.ttl);
  const groups = (o.groups ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const bad = groups.find((g) => !EXTRA_GROUP.test(g));
  if (bad)
    throw new CliError(`--groups: ${bad} must start with system:bootstrappers: (e.g. system:bootstrappers:zone-b)`);
  const c = await connect(o);
  const id = random(6);
  const secret = random(16);
  const data: Record<string, string> = {
    'token-id': id,
    'token-secret': secret,
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    ...(seconds > 0 ? { expiration: new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z') } : {}),
    ...(o.description ? { description: o.description } : {}),
    ...(groups.length ? { 'auth-extra-groups': groups.join(',') } : {}),
  };
  const body: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: TYPE,
    metadata: { name: `${PREFIX}${id}`, namespace: NS },
    stringData: data,
  };
  await about({ verb: 'create', resource: 'secret', name: body.metadata?.name, namespace: NS }, () =>
    c.client.create(path, body),
  );
  process.stdout.write(`${id}.${secret}\n`);
}

const decode = (s: V1Secret, key: string): string =>
  s.data?.[key] ? Buffer.from(s.data[key], 'base64').toString('utf8') : '';

export async function list(o: Common): Promise<void> {
  const c = await connect(o);
  const all = await about({ verb: 'list', resource: 'secret', namespace: NS }, () =>
    c.client.get<{ items: V1Secret[] }>(`${path}?fieldSelector=${encodeURIComponent(`type=${TYPE}`)}`),
  );
  const tokens = all.items
    .filter((s) => s.metadata?.name?.startsWith(PREFIX))
    .map((s) => ({
      id: decode(s, 'token-id'),
      expires: decode(s, 'expiration'),
      description: decode(s, 'description'),
      groups: ['system:bootstrappers', ...decode(s, 'auth-extra-groups').split(',').filter(Boolean)],
    }));
  const format = outputFormat(o.output);
  if (format) {
    process.stdout.write(renderObject(tokens, format));
    return;
  }
  if (!tokens.length) {
    process.stdout.write('no bootstrap tokens\n');
    return;
  }
  const now = Date.now();
  const ttl = (at: string): string =>
    !at ? '<forever>' : Date.parse(at) <= now ? '<expired>' : age(new Date(2 * now - Date.parse(at)), now);
  process.stdout.write(
    renderTable(
      ['TOKEN', 'TTL', 'EXPIRES', 'GROUPS', 'DESCRIPTION'],
      tokens.map((t) => [
        `${t.id}.<hidden>`,
        ttl(t.expires),
        t.expires || '<never>',
        t.groups.join(','),
        t.description,
      ]),
    ),
  );
}

export async function remove(ids: string[], o: Common): Promise<void> {
  const c = await connect(o);
  for (const given of ids) {
    const id = given.split('.')[0] ?? '';
    if (!/^[a-z0-9]{6}$/.test(id))
      throw new CliError(`${given}: a token ID is 6 lowercase letters or digits (ID or ID.SECRET)`);
    try {
      await c.client.delete(`${path}/${PREFIX}${id}`);
    } catch (e) {
      if (isStatus(e, 404)) throw new CliError(`bootstrap token ${id} not found`);
      throw e;
    }
    process.stdout.write(`bootstrap token ${id} deleted\n`);
  }
}
