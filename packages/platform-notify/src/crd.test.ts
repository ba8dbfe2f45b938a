// The committed CRD manifest (deploy/notify/notificationchannels.yaml) is the CRD in crd.ts.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { notificationChannelCrd } from './crd.js';

describe('NotificationChannel CRD', () => {
  it('matches the committed manifest (regenerate with npm run gen:notify-crd)', () => {
    const committed = parse(
      readFileSync(new URL('../../../deploy/notify/notificationchannels.yaml', import.meta.url), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(JSON.parse(JSON.stringify(notificationChannelCrd)));
  });
});
