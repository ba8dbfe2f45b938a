// The gateway's own answers (404 no rule, 502/504 endpoint failed, 503 no endpoints): a small page
// that says why, so a person in a browser can tell the gateway's errors from the app's.
import http from 'node:http';

export function errorPage(status: number, why: string): string {
  const title = `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>${title}</h1><p>${escapeHtml(why)}</p><hr><small>Wharf ingress gateway</small></body></html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
