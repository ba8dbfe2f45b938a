// Namespace enforcement in PromQL, as prom-label-proxy does it: every vector selector of the
// query gets `namespace="<ns>"`, replacing whatever namespace matcher it had, so the query can
// only read that namespace's series. Parsed with Prometheus's own grammar (lezer-promql); a query
// that does not parse is refused rather than passed through.
import { parser } from '@prometheus-io/lezer-promql';

/** The query does not parse: the message names where. */
export class QueryParseError extends Error {
  readonly code = 'WHARF_PROMQL_PARSE';
}

interface Edit {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

const matcherNames = ['UnquotedLabelMatcher', 'QuotedLabelMatcher'];

/** `query` with every vector selector restricted to `namespace`. */
export function enforceNamespace(query: string, namespace: string): string {
  const tree = parser.parse(query);
  const edits: Edit[] = [];
  let error: number | undefined;
  const injected = `namespace=${JSON.stringify(namespace)}`;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError && error === undefined) error = n.from;
      if (n.name !== 'VectorSelector') return;
      const node = n.node;
      const matchers = node.getChild('LabelMatchers');
      if (!matchers) {
        edits.push({ from: node.to, to: node.to, text: `{${injected}}` });
        return false;
      }
      const kept: string[] = [];
      for (let c = matchers.firstChild; c; c = c.nextSibling) {
        if (!matcherNames.includes(c.name)) continue;
        const nameNode = c.getChild('LabelName') ?? c.getChild('QuotedLabelName');
        const name = nameNode ? query.slice(nameNode.from, nameNode.to).replace(/^"|"$/g, '') : '';
        if (name !== 'namespace') kept.push(query.slice(c.from, c.to));
      }
      edits.push({ from: matchers.from, to: matchers.to, text: `{${[...kept, injected].join(',')}}` });
      return false;
    },
  });
  if (error !== undefined || query.trim() === '')
    throw new QueryParseError(`the query does not parse at character ${error ?? 0}: ${JSON.stringify(query)}`);
  let out = query;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = `${out.slice(0, e.from)}${e.text}${out.slice(e.to)}`;
  return out;
}
