// Label key and value checks for selectors, with the messages apimachinery's validation package
// prints (the checks themselves are validation/names.ts), plus Go's error formatting helpers.
import { isDNS1123Subdomain, isLabelValue, isQualifiedName } from '../validation/names.js';

/** Problems with a DNS-1123 subdomain (e.g. a label key prefix); empty when valid. */
export const dns1123SubdomainErrors = isDNS1123Subdomain;
/** Problems with a qualified name such as a label key (`[prefix/]name`); empty when valid. */
export const qualifiedNameErrors = isQualifiedName;
/** Problems with a label value; empty when valid (the empty string is a valid value). */
export const labelValueErrors = isLabelValue;

/** A field.Error of type Invalid as Go prints it: `<path>: Invalid value: <value>: <detail>`. */
export function invalidValue(path: string, value: string | readonly string[], detail: string): string {
  const shown =
    typeof value === 'string' ? JSON.stringify(value) : `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** Go's utilerrors aggregate message: one error alone, several deduplicated in brackets. */
export function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}
