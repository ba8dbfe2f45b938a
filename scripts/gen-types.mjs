// Generates packages/api/src/generated/types.json: the field names and types of every built-in
// kind Wharf serves, read from @kubernetes/client-node's models (a maintained source of the
// Kubernetes types). Run `npm run gen`; CI regenerates it and fails if the committed file drifts.
import * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';

const { BUILTIN_RESOURCES, VERSION_ALIASES } = await import('../packages/api/dist/resources.js');

const cap = (s) => (s ? s[0].toUpperCase() + s.slice(1) : '');
const groupPrefix = (g) => cap(g.split('.')[0]);
function modelFor(info) {
  const v = cap(info.version);
  const prefix = info.group ? groupPrefix(info.group) : 'Core';
  for (const c of [`${prefix}${v}${info.kind}`, `${v}${info.kind}`]) {
    if (k8s[c]?.attributeTypeMap) return c;
  }
  return undefined;
}

function simplify(t, format) {
  let m;
  if ((m = /^Array<(.*)>$/.exec(t))) return `[]${simplify(m[1], '')}`;
  if ((m = /^\{ \[key: string\]: (.*); \}$/.exec(t))) return `{}${simplify(m[1], '')}`;
  if (t === 'number') return format || 'double';
  if (t === 'Date') return 'date-time';
  if (t === 'IntOrString') return 'int-or-string';
  if (t === 'RuntimeRawExtension') return 'any';
  return t;
}

const types = {};
function visit(name) {
  if (types[name] || !k8s[name]?.attributeTypeMap) return;
  const fields = {};
  types[name] = fields;
  for (const a of k8s[name].attributeTypeMap) {
    const t = simplify(a.type, a.format);
    fields[a.baseName] = t;
    const inner = t.replace(/^(\[\]|\{\})+/, '');
    if (k8s[inner]?.attributeTypeMap) visit(inner);
  }
}

const kinds = {};
const missing = [];
for (const info of BUILTIN_RESOURCES) {
  const model = modelFor(info);
  if (!model) {
    missing.push(`${info.group}/${info.version}/${info.kind}`);
    continue;
  }
  kinds[`${info.group}/${info.version}/${info.kind}`] = model;
  visit(model);
}
// Versions served by conversion from the stored one (their own schema, for OpenAPI and discovery).
for (const alias of VERSION_ALIASES) {
  for (const resource of alias.resources) {
    const base = BUILTIN_RESOURCES.find((r) => r.group === alias.group && r.resource === resource);
    const model = base && modelFor({ ...base, version: alias.version });
    if (!model) {
      missing.push(`${alias.group}/${alias.version}/${resource}`);
      continue;
    }
    kinds[`${alias.group}/${alias.version}/${base.kind}`] = model;
    visit(model);
  }
}
for (const extra of ['V1Scale', 'V1Eviction', 'V1DeleteOptions', 'V1Status', 'V1Binding', 'V1JSONSchemaProps'])
  visit(extra);
kinds['autoscaling/v1/Scale'] = 'V1Scale';
kinds['policy/v1/Eviction'] = 'V1Eviction';
kinds['/v1/Binding'] = 'V1Binding';
if (missing.length) console.error('no client-node model for', missing.join(', '));
const sorted = Object.fromEntries(
  Object.keys(types)
    .sort()
    .map((k) => [k, types[k]]),
);
writeFileSync(
  new URL('../packages/api/src/generated/types.json', import.meta.url),
  JSON.stringify({ kinds, types: sorted }, null, 1) + '\n',
);
console.log(`wrote ${Object.keys(kinds).length} kinds, ${Object.keys(sorted).length} types`);
