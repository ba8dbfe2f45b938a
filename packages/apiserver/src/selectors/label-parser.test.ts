import { describe, expect, it } from 'vitest';
import { SelectorError, parseLabelSelector } from './index.js';

const web = { app: 'web', tier: 'frontend', env: 'prod' };
const db = { app: 'db', tier: 'backend' };

function err(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(s)} to fail`);
}

describe('parseLabelSelector: equality', () => {
  it('matches = and == on the value', () => {
    expect(parseLabelSelector('app=web').matches(web)).toBe(true);
    expect(parseLabelSelector('app==web').matches(web)).toBe(true);
    expect(parseLabelSelector('app=web').matches(db)).toBe(false);
  });

  it('!= matches objects without the label', () => {
    const s = parseLabelSelector('env!=prod');
    expect(s.matches(web)).toBe(false);
    expect(s.matches(db)).toBe(true);
    expect(s.matches(undefined)).toBe(true);
  });

  it('ANDs comma-separated requirements and tolerates whitespace', () => {
    const s = parseLabelSelector(' app = web , tier=frontend ');
    expect(s.matches(web)).toBe(true);
    expect(s.matches({ app: 'web' })).toBe(false);
  });

  it('an empty value matches the empty label only', () => {
    const s = parseLabelSelector('app=');
    expect(s.matches({ app: '' })).toBe(true);
    expect(s.matches({})).toBe(false);
    expect(s.matches(web)).toBe(false);
  });

  it('accepts prefixed keys', () => {
    const s = parseLabelSelector('app.kubernetes.io/name=web');
    expect(s.matches({ 'app.kubernetes.io/name': 'web' })).toBe(true);
  });
});

describe('parseLabelSelector: set-based', () => {
  it('in and notin', () => {
    expect(parseLabelSelector('tier in (frontend, backend)').matches(db)).toBe(true);
    expect(parseLabelSelector('tier in (cache)').matches(db)).toBe(false);
    expect(parseLabelSelector('tier notin (frontend)').matches(db)).toBe(true);
    expect(parseLabelSelector('tier notin (frontend)').matches(web)).toBe(false);
    // notin also matches objects without the key
    expect(parseLabelSelector('tier notin (frontend)').matches({})).toBe(true);
    expect(parseLabelSelector('tier in (frontend)').matches({})).toBe(false);
  });

  it('existence and absence', () => {
    expect(parseLabelSelector('env').matches(web)).toBe(true);
    expect(parseLabelSelector('env').matches(db)).toBe(false);
    expect(parseLabelSelector('!env').matches(db)).toBe(true);
    expect(parseLabelSelector('!env').matches(web)).toBe(false);
    expect(parseLabelSelector('app,!env').matches(db)).toBe(true);
  });

  it('"in" and "notin" are values in value position', () => {
    expect(parseLabelSelector('x in (in,notin)').matches({ x: 'notin' })).toBe(true);
    expect(parseLabelSelector('x=in').matches({ x: 'in' })).toBe(true);
  });

  it('empty entries in a set are the empty value', () => {
    expect(parseLabelSelector('x in ()').matches({ x: '' })).toBe(true);
    expect(parseLabelSelector('x in (a,,b)').matches({ x: '' })).toBe(true);
    expect(parseLabelSelector('x in (a,b)').matches({ x: '' })).toBe(false);
  });

  it('gt and lt compare integers', () => {
    expect(parseLabelSelector('replicas>3').matches({ replicas: '5' })).toBe(true);
    expect(parseLabelSelector('replicas>3').matches({ replicas: '3' })).toBe(false);
    expect(parseLabelSelector('replicas<3').matches({ replicas: '-1' })).toBe(true);
    expect(parseLabelSelector('replicas<3').matches({ replicas: 'x' })).toBe(false);
  });

  it('the empty selector matches everything', () => {
    const s = parseLabelSelector('');
    expect(s.isEmpty()).toBe(true);
    expect(s.matches(undefined)).toBe(true);
    expect(parseLabelSelector('   ').isEmpty()).toBe(true);
  });
});

describe('parseLabelSelector: canonical form and exact matches', () => {
  it('sorts requirements by key and values inside sets', () => {
    expect(parseLabelSelector('z=1,a in (c,b),!m,k').toString()).toBe('a in (b,c),k,!m,z=1');
  });

  it('reports the value a selector pins', () => {
    const s = parseLabelSelector('app=web,tier in (a),env in (a,b)');
    expect(s.requiresExactMatch('app')).toBe('web');
    expect(s.requiresExactMatch('tier')).toBe('a');
    expect(s.requiresExactMatch('env')).toBeUndefined();
    expect(s.requiresExactMatch('missing')).toBeUndefined();
  });
});

describe('parseLabelSelector: errors with apimachinery wording', () => {
  it('an invalid key names the key and the rule it broke', () => {
    expect(err('app:web')).toBe(
      "unable to parse requirement: <nil>: Invalid value: \"app:web\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  });

  it('a bad prefix is reported as the prefix part', () => {
    expect(err('app.kubernetes_io/name=x')).toMatch(
      /^unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io\/name": prefix part a lowercase RFC 1123 subdomain/,
    );
  });

  it('too many slashes', () => {
    expect(err('a/b/c=d')).toMatch(/Invalid value: "a\/b\/c": a qualified name must consist of/);
  });

  it('an invalid value names its path', () => {
    expect(err('app=we@b')).toMatch(
      /^unable to parse requirement: values\[0\]\[app\]: Invalid value: "we@b": a valid label must be an empty string or consist of/,
    );
  });

  it('a too-long value', () => {
    expect(err(`app=${'a'.repeat(64)}`)).toMatch(/must be no more than 63 characters/);
  });

  it('a missing operator between key and value', () => {
    expect(err('app web')).toBe("unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt");
  });

  it('a dangling comma', () => {
    expect(err('app=web,')).toBe("found '', expected: identifier after ','");
  });

  it('a set without parentheses', () => {
    expect(err('app in web')).toBe("unable to parse requirement: found 'web' expected: '('");
  });

  it('an unterminated set', () => {
    expect(err('app in (a b)')).toBe("unable to parse requirement: found 'b', expected: ',' or ')'");
  });

  it('a leading operator', () => {
    expect(err('=web')).toBe("found '=', expected: !, identifier, or 'end of string'");
  });

  it('trailing garbage after !key', () => {
    expect(err('!app=web')).toBe("found '=', expected: ',' or 'end of string'");
  });

  it('gt needs an integer', () => {
    expect(err('a>b')).toMatch(
      /values\[0\]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer/,
    );
  });
});
