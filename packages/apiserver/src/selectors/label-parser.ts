// Parses the `labelSelector` query string (`app=web,tier in (a,b),!legacy`) with the grammar and
// error messages of apimachinery's labels.Parse, so kubectl users see the errors they know.
import { SelectorError } from './errors.js';
import { LabelSelector, newRequirement } from './labels.js';
import type { LabelOperator, LabelRequirement } from './labels.js';
import { invalidValue, qualifiedNameErrors } from './validation.js';

type Token =
  | 'end'
  | 'closePar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar'
  | 'error';

interface Scanned {
  tok: Token;
  lit: string;
}

const LITERAL_TOKENS: Readonly<Record<string, Token>> = {
  ')': 'closePar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notIn',
  '(': 'openPar',
};

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch);

function tokenOf(s: string): Token | undefined {
  return Object.prototype.hasOwnProperty.call(LITERAL_TOKENS, s) ? LITERAL_TOKENS[s] : undefined;
}

/** Splits the selector into tokens; keywords `in`/`notin` are told apart from values later. */
function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s.charAt(pos))) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    const start = pos;
    if (isSpecial(s.charAt(pos))) {
      // Longest run of symbols that is still an operator: "!=" rather than "!" then "=".
      let last: Scanned | undefined;
      let buffer = '';
      while (pos < s.length && isSpecial(s.charAt(pos))) {
        buffer += s.charAt(pos);
        const tok = tokenOf(buffer);
        if (tok) last = { tok, lit: buffer };
        else if (last) break;
        pos++;
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${s.slice(start, pos)}'` });
      continue;
    }
    while (pos < s.length && !isSpecial(s.charAt(pos)) && !isWhitespace(s.charAt(pos))) pos++;
    const word = s.slice(start, pos);
    const keyword = word === 'in' || word === 'notin' ? tokenOf(word) : undefined;
    out.push({ tok: keyword ?? 'identifier', lit: word });
  }
}

/** Recursive-descent parser over the scanned tokens, mirroring apimachinery's labels.Parser. */
class Parser {
  private position = 0;
  constructor(private readonly items: Scanned[]) {}

  /** In value context the keywords `in`/`notin` are plain identifiers. */
  private lookahead(values: boolean): Scanned {
    const item = this.items[this.position] ?? { tok: 'end', lit: '' };
    return values && (item.tok === 'in' || item.tok === 'notIn') ? { tok: 'identifier', lit: item.lit } : item;
  }

  private consume(values: boolean): Scanned {
    const item = this.lookahead(values);
    this.position++;
    return item;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === 'end') return reqs;
      if (tok !== 'identifier' && tok !== 'doesNotExist')
        throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const next = this.consume(true);
      if (next.tok === 'end') return reqs;
      if (next.tok !== 'comma') throw new SelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead(true);
      if (after.tok !== 'identifier' && after.tok !== 'doesNotExist')
        throw new SelectorError(`found '${after.lit}', expected: identifier after ','`);
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, unary } = this.parseKeyAndInferOperator();
    if (unary) return newRequirement(key, unary, []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, [...new Set(values)].sort());
  }

  private parseKeyAndInferOperator(): { key: string; unary?: 'exists' | '!' } {
    let item = this.consume(true);
    let negated = false;
    if (item.tok === 'doesNotExist') {
      negated = true;
      item = this.consume(true);
    }
    if (item.tok !== 'identifier') throw new SelectorError(`found '${item.lit}', expected: identifier`);
    const keyErrs = qualifiedNameErrors(item.lit);
    if (keyErrs.length > 0) throw new SelectorError(invalidValue('<nil>', item.lit, keyErrs.join('; ')));
    if (negated) return { key: item.lit, unary: '!' };
    const next = this.lookahead(true).tok;
    return next === 'end' || next === 'comma' ? { key: item.lit, unary: 'exists' } : { key: item.lit };
  }

  private parseOperator(): LabelOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'in':
        return 'in';
      case 'notIn':
        return 'notin';
      case 'equals':
        return '=';
      case 'doubleEquals':
        return '==';
      case 'notEquals':
        return '!=';
      case 'greaterThan':
        return 'gt';
      case 'lessThan':
        return 'lt';
      default:
        throw new SelectorError(`found '${lit}', expected: ${BINARY_OPERATORS}`);
    }
  }

  /** `(a,b,c)`; empty entries are the empty value, so `()` is the set {""}. */
  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== 'openPar') throw new SelectorError(`found '${open.lit}' expected: '('`);
    const first = this.lookahead(true);
    if (first.tok === 'closePar') {
      this.consume(true);
      return [''];
    }
    if (first.tok !== 'identifier' && first.tok !== 'comma')
      throw new SelectorError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values = this.parseIdentifiersList();
    if (this.consume(true).tok !== 'closePar') throw new SelectorError(`found '${first.lit}', expected: ')'`);
    return values;
  }

  private parseIdentifiersList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'identifier') {
        values.push(lit);
        const next = this.lookahead(true);
        if (next.tok === 'comma') continue;
        if (next.tok === 'closePar') return values;
        throw new SelectorError(`found '${next.lit}', expected: ',' or ')'`);
      }
      if (tok !== 'comma') throw new SelectorError(`found '${lit}', expected: ',', or identifier`);
      if (values.length === 0) values.push('');
      const next = this.lookahead(true).tok;
      if (next === 'closePar') {
        values.push('');
        return values;
      }
      if (next === 'comma') values.push('');
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead(true).tok;
    if (next === 'end' || next === 'comma') return [''];
    const { tok, lit } = this.consume(true);
    if (tok === 'identifier') return [lit];
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses a label selector string. The empty string matches everything. Throws SelectorError with
 * apimachinery's message (e.g. `unable to parse requirement: <nil>: Invalid value: "a b": ...`).
 */
export function parseLabelSelector(s: string): LabelSelector {
  return LabelSelector.of(new Parser(lex(s)).parse());
}
