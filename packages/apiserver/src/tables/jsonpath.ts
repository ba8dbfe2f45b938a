// A small evaluator for the Kubernetes JSONPath dialect CRD printer columns use:
// `.spec.replicas`, `.status.conditions[?(@.type=="Ready")].status`, `.items[0]`, `[*]`, `..name`,
// `['app.kubernetes.io/name']`. Missing keys yield no results, as with AllowMissingKeys(true).

import { isRecord } from '@wharf/api';

/** A JSONPath the evaluator cannot parse; the message names the expression and the position. */
export class JsonPathError extends Error {
  constructor(expression: string, position: number, problem: string) {
    super(`invalid JSONPath ${JSON.stringify(expression)} at position ${position}: ${problem}`);
    this.name = 'JsonPathError';
  }
}

type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start: number | undefined; end: number | undefined }
  | { kind: 'filter'; path: Step[]; op: CompareOp | undefined; value: unknown };

/** A parsed path, ready to evaluate against many objects. */
export interface CompiledPath {
  readonly expression: string;
  evaluate(root: unknown): unknown[];
}

const FIELD_END = /[.[\]\s()=!<>]/;

class Parser {
  pos = 0;
  constructor(
    readonly expr: string,
    readonly src: string,
    readonly offset: number,
  ) {}

  fail(problem: string): never {
    throw new JsonPathError(this.expr, this.offset + this.pos, problem);
  }

  peek(n = 0): string {
    return this.src[this.pos + n] ?? '';
  }

  skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }

  field(): string {
    let name = '';
    while (this.pos < this.src.length) {
      const ch = this.peek();
      if (ch === '\\' && this.peek(1) !== '') {
        name += this.peek(1); // `\.` escapes a dot inside a key
        this.pos += 2;
        continue;
      }
      if (FIELD_END.test(ch)) break;
      name += ch;
      this.pos++;
    }
    if (name === '') this.fail('expected a field name');
    return name;
  }

  quoted(): string {
    const quote = this.peek();
    this.pos++;
    const end = this.src.indexOf(quote, this.pos);
    if (end < 0) this.fail('unterminated string');
    const text = this.src.slice(this.pos, end);
    this.pos = end + 1;
    return text;
  }

  literal(): unknown {
    this.skipSpaces();
    const ch = this.peek();
    if (ch === '"' || ch === "'") return this.quoted();
    const m = /^(-?\d+(\.\d+)?|true|false)/.exec(this.src.slice(this.pos));
    if (m === null) this.fail('expected a literal');
    this.pos += m[0].length;
    return m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]);
  }

  /** Steps until the end of input, or until a character in `stop` (used inside filters). */
  steps(stop = ''): Step[] {
    const steps: Step[] = [];
    while (this.pos < this.src.length && !stop.includes(this.peek())) {
      const ch = this.peek();
      if (ch === '.') {
        this.pos++;
        if (this.peek() === '.') {
          this.pos++;
          steps.push({ kind: 'recursive' });
        }
        if (this.peek() === '*') {
          this.pos++;
          steps.push({ kind: 'wildcard' });
        } else if (this.peek() !== '[' && this.pos < this.src.length) {
          steps.push({ kind: 'field', name: this.field() });
        }
      } else if (ch === '[') {
        this.pos++;
        steps.push(this.bracket());
      } else if (ch === ' ') {
        this.pos++;
      } else {
        this.fail(`unexpected ${JSON.stringify(ch)}`);
      }
    }
    return steps;
  }

  bracket(): Step {
    this.skipSpaces();
    let step: Step;
    const ch = this.peek();
    if (ch === '*') {
      this.pos++;
      step = { kind: 'wildcard' };
    } else if (ch === '"' || ch === "'") {
      step = { kind: 'field', name: this.quoted() };
    } else if (ch === '?') {
      step = this.filter();
    } else {
      const m = /^(-?\d*)(?::(-?\d*))?/.exec(this.src.slice(this.pos));
      if (m === null || m[0] === '') this.fail('expected an index, a quoted key, * or a filter');
      this.pos += m[0].length;
      const num = (s: string | undefined): number | undefined => (s === undefined || s === '' ? undefined : Number(s));
      step =
        m[2] === undefined
          ? { kind: 'index', index: Number(m[1]) }
          : { kind: 'slice', start: num(m[1]), end: num(m[2]) };
    }
    this.skipSpaces();
    if (this.peek() !== ']') this.fail('expected "]"');
    this.pos++;
    return step;
  }

  filter(): Step {
    this.pos++; // '?'
    if (this.peek() !== '(') this.fail('expected "(" after "?"');
    this.pos++;
    this.skipSpaces();
    if (this.peek() !== '@') this.fail('a filter must start with "@"');
    this.pos++;
    const path = this.steps(' )=!<>');
    this.skipSpaces();
    let op: CompareOp | undefined;
    let value: unknown;
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.src.slice(this.pos));
    if (m !== null) {
      op = m[0] as CompareOp;
      this.pos += m[0].length;
      value = this.literal();
      this.skipSpaces();
    }
    if (this.peek() !== ')') this.fail('expected ")" to close the filter');
    this.pos++;
    return { kind: 'filter', path, op, value };
  }
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isRecord(v)) return Object.values(v);
  return [];
}

function descendants(v: unknown, out: unknown[]): void {
  out.push(v);
  for (const child of children(v)) descendants(child, out);
}

function compare(left: unknown, op: CompareOp, right: unknown): boolean {
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  if (typeof left !== 'number' || typeof right !== 'number') return false;
  switch (op) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

function apply(steps: readonly Step[], values: unknown[]): unknown[] {
  let current = values;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      switch (step.kind) {
        case 'field':
          if (isRecord(v) && step.name in v) next.push(v[step.name]);
          break;
        case 'wildcard':
          next.push(...children(v));
          break;
        case 'recursive':
          descendants(v, next);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const i = step.index < 0 ? v.length + step.index : step.index;
            if (i >= 0 && i < v.length) next.push(v[i]);
          }
          break;
        case 'slice':
          if (Array.isArray(v)) next.push(...v.slice(step.start, step.end));
          break;
        case 'filter':
          for (const el of Array.isArray(v) ? v : []) {
            const found = apply(step.path, [el]);
            const keep =
              step.op === undefined ? found.length > 0 : found.length > 0 && compare(found[0], step.op, step.value);
            if (keep) next.push(el);
          }
          break;
      }
    }
    current = next;
  }
  return current;
}

/** Parses a JSONPath such as `.status.phase` or `{.spec.replicas}`; throws JsonPathError. */
export function compileJsonPath(expression: string): CompiledPath {
  let src = expression.trim();
  let offset = expression.indexOf(src);
  if (src.startsWith('{') && src.endsWith('}')) {
    src = src.slice(1, -1);
    offset++;
  }
  if (src.startsWith('$')) {
    src = src.slice(1);
    offset++;
  }
  const steps = new Parser(expression, src, offset).steps();
  return { expression, evaluate: (root) => apply(steps, [root]) };
}
