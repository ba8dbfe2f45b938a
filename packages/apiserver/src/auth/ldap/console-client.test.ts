import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { vouchedBrowser } from './console-client.js';

const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('vouchedBrowser', () => {
  it("takes the console's word for the browser only with the shared secret", () => {
    const claim = { 'x-wharf-console-client': '127.0.0.1 b1' };
    expect(vouchedBrowser(req({ ...claim, 'x-wharf-console-proof': 's3cret' }), 's3cret')).toBe('127.0.0.1 b1');
    expect(vouchedBrowser(req({ ...claim, 'x-wharf-console-proof': 'guess!' }), 's3cret')).toBeUndefined();
    expect(vouchedBrowser(req({ ...claim, 'x-wharf-console-proof': 's3cret-longer' }), 's3cret')).toBeUndefined();
    expect(vouchedBrowser(req(claim), 's3cret')).toBeUndefined();
    // A server without the console's secret trusts no one's claim.
    expect(vouchedBrowser(req({ ...claim, 'x-wharf-console-proof': '' }), undefined)).toBeUndefined();
  });
});
