// Where Go's standard base64 decoder (padded alphabet, CR/LF ignored) gives up on a string:
// Secret data and ConfigMap binaryData are []byte fields, decoded that way by the real server.

const ALPHABET = /[A-Za-z0-9+/]/;
const isNewline = (c: string | undefined): boolean => c === '\n' || c === '\r';

/** The byte offset Go reports in "illegal base64 data at input byte N", or undefined if valid. */
export function base64ErrorOffset(s: string): number | undefined {
  let si = 0;
  while (si < s.length) {
    for (let j = 0; j < 4; j++) {
      if (si === s.length) return j === 0 ? undefined : si - j;
      const ch = s[si];
      si++;
      if (ch !== undefined && ALPHABET.test(ch)) continue;
      if (isNewline(ch)) {
        j--;
        continue;
      }
      if (ch !== '=' || j < 2) return si - 1;
      if (j === 2) {
        // "==" is expected; the first "=" is consumed.
        while (si < s.length && isNewline(s[si])) si++;
        if (si === s.length) return s.length;
        if (s[si] !== '=') return si - 1;
        si++;
      }
      while (si < s.length && isNewline(s[si])) si++;
      return si < s.length ? si : undefined;
    }
  }
  return undefined;
}
