// Which client a failed directory sign-in counts against. Every sign-in through the console comes
// from `wharf up`'s console server on 127.0.0.1, so keyed by address one browser's typos would lock
// every console user out. The console server, in the same process, names the browser it signs in
// for and proves it is the console with a secret only the two share (never sent to a browser):
// those attempts count against that browser. Anyone else who sends the header without the
// secret is keyed by their address as before.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CONSOLE_CLIENT_HEADER = 'x-wharf-console-client';
export const CONSOLE_PROOF_HEADER = 'x-wharf-console-proof';

/** The browser the console vouches for, or undefined when the request does not prove it is the console. */
export function vouchedBrowser(req: IncomingMessage, proof: string | undefined): string | undefined {
  const client = req.headers[CONSOLE_CLIENT_HEADER];
  const given = req.headers[CONSOLE_PROOF_HEADER];
  if (!proof || typeof client !== 'string' || !client || typeof given !== 'string') return undefined;
  const a = Buffer.from(given);
  const b = Buffer.from(proof);
  return a.length === b.length && timingSafeEqual(a, b) ? client.slice(0, 200) : undefined;
}
