// Tekton's variable substitution: `$(params.x)`, `$(params["x.y"])`, `$(params.arr[*])` (an array
// spread into a list), `$(params.arr[0])`, `$(params.obj.key)`, `$(results.x.path)`,
// `$(workspaces.w.path)`, `$(context.taskRun.name)`, `$(tasks.t.results.r)`. Only names the run
// defines are replaced: anything else, a shell `$(date)` among them, is left as written.
export type VarValue = string | readonly string[] | Readonly<Record<string, string>>;
export type Vars = ReadonlyMap<string, VarValue>;

const REF = /\$\(([^()]+)\)/g;

interface Ref {
  key: string;
  index?: number | '*';
}

/** `params["a.b"][*]` → { key: 'params.a.b', index: '*' }. */
export function parseRef(body: string): Ref {
  let s = body.trim().replace(/\[\s*(["'])(.*?)\1\s*\]/g, '.$2');
  let index: Ref['index'];
  const m = /\[(\*|\d+)\]$/.exec(s);
  if (m) {
    index = m[1] === '*' ? '*' : Number(m[1]);
    s = s.slice(0, m.index);
  }
  return index === undefined ? { key: s } : { key: s, index };
}

/** Every string inside a JSON-like value, to look for references in. */
export function stringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) stringsIn(x, out);
  return out;
}

/** Every reference in `s`, parsed. */
export function refsIn(s: string): Ref[] {
  return [...s.matchAll(REF)].map((m) => parseRef(m[1] ?? ''));
}

function lookup(vars: Vars, ref: Ref): string | readonly string[] | undefined {
  let v = vars.get(ref.key);
  if (v === undefined) {
    // `params.obj.key`: an object param's member.
    const dot = ref.key.lastIndexOf('.');
    const parent = dot > 0 ? vars.get(ref.key.slice(0, dot)) : undefined;
    if (parent && typeof parent === 'object' && !Array.isArray(parent))
      v = (parent as Record<string, string>)[ref.key.slice(dot + 1)];
  }
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    if (typeof ref.index === 'number') return v[ref.index] ?? '';
    return v as readonly string[];
  }
  return undefined;
}

/** `s` with every known reference replaced; an array in a string joins with spaces (as a shell would see it). */
export function substituteString(s: string, vars: Vars): string {
  return s.replace(REF, (whole, body: string) => {
    const v = lookup(vars, parseRef(body));
    if (v === undefined) return whole;
    return typeof v === 'string' ? v : v.join(' ');
  });
}

/** A list of strings where an element that is exactly `$(params.arr[*])` becomes the array's elements. */
export function substituteList(list: readonly string[] | undefined, vars: Vars): string[] | undefined {
  if (!list) return undefined;
  return list.flatMap((item) => {
    const whole = /^\$\(([^()]+)\)$/.exec(item.trim());
    if (whole) {
      const v = lookup(vars, parseRef(whole[1] ?? ''));
      if (Array.isArray(v)) return [...(v as string[])];
    }
    return [substituteString(item, vars)];
  });
}

/** Substitutes every string inside a JSON-like value (env values, volume sources). */
export function substituteDeep<T>(value: T, vars: Vars): T {
  if (typeof value === 'string') return substituteString(value, vars) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => substituteDeep(v, vars)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, vars)])) as T;
  return value;
}
