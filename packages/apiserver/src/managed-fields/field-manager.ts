// Who a write is recorded as: the `fieldManager` query parameter, else the User-Agent up to its
// first '/' (kube-apiserver's managerOrUserAgent), validated as upstream's ValidateFieldManager.

/** Upstream's FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

export function fieldManagerOf(param: string | null, userAgent: string | undefined): string {
  if (param) return param;
  return (userAgent ?? '').split('/')[0] ?? '';
}

/** The problems with a fieldManager parameter, as `fieldManager: …` messages (empty when valid). */
export function validateFieldManager(manager: string): string[] {
  const out: string[] = [];
  if (Buffer.byteLength(manager, 'utf8') > FIELD_MANAGER_MAX_LENGTH)
    out.push(`Too long: may not be more than ${FIELD_MANAGER_MAX_LENGTH} bytes`);
  let i = 0;
  for (const ch of manager) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      out.push(
        `Invalid value: ${JSON.stringify(manager)}: invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${i})`,
      );
    }
    i += ch.length;
  }
  return out;
}
