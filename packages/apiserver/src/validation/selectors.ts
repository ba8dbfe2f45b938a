// metav1.LabelSelector: syntax checks and the Go rendering the real server prints when a selector
// is immutable. Matching is @wharf/api's matchesSelector.
import { isRecord } from '@wharf/api';
import { forbidden, invalid, required, type FieldIssue, type FieldPath } from './issues.js';
import { isLabelValue, isQualifiedName } from './names.js';
import { validateLabels } from './metadata.js';

export function validateLabelSelector(sel: unknown, path: FieldPath): FieldIssue[] {
  if (!isRecord(sel)) return [];
  const errs = validateLabels(sel.matchLabels, path.child('matchLabels'));
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  exprs.forEach((e, i) => {
    if (!isRecord(e)) return;
    const at = path.child('matchExpressions').index(i);
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0)
          errs.push(required(at.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0)
          errs.push(
            forbidden(at.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
          );
        break;
      default:
        errs.push(invalid(at.child('operator'), e.operator ?? '', 'not a valid selector operator'));
    }
    const key = typeof e.key === 'string' ? e.key : '';
    for (const msg of isQualifiedName(key)) errs.push(invalid(at.child('key'), key, msg));
    values.forEach((v, j) => {
      if (typeof v === 'string')
        for (const msg of isLabelValue(v)) errs.push(invalid(at.child('values').index(j), v, msg));
    });
  });
  return errs;
}

/** v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)} */
export function goLabelSelector(sel: unknown): string {
  if (!isRecord(sel)) return 'null';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${goRequirements(sel.matchExpressions)}}`;
}

export function goStringMap(m: unknown): string {
  if (!isRecord(m)) return 'map[string]string(nil)';
  const body = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`)
    .join(', ');
  return `map[string]string{${body}}`;
}

function goRequirements(exprs: unknown): string {
  if (!Array.isArray(exprs)) return '[]v1.LabelSelectorRequirement(nil)';
  const items = exprs.map((e) => {
    const r = isRecord(e) ? e : {};
    const values = Array.isArray(r.values)
      ? `[]string{${r.values.map((v) => JSON.stringify(String(v))).join(', ')}}`
      : '[]string(nil)';
    return `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(r.key ?? ''))}, Operator:${JSON.stringify(String(r.operator ?? ''))}, Values:${values}}`;
  });
  return `[]v1.LabelSelectorRequirement{${items.join(', ')}}`;
}
