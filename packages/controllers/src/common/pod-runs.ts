// Plans list pod creations and deletions one by one; PodControl batches them. A run of
// consecutive actions of one of the batched types becomes one group, every other action stays
// alone, and the order of the plan is kept.
export function groupRuns<A extends { readonly type: string }>(
  actions: readonly A[],
  batched: readonly A['type'][],
): A[][] {
  const out: A[][] = [];
  for (const a of actions) {
    const last = out[out.length - 1];
    if (last && batched.includes(a.type) && last[0]?.type === a.type) last.push(a);
    else out.push([a]);
  }
  return out;
}
