// `wharf up` with the platform in its own process (the default): it installs the CRDs, runs the
// ConfigSet controller, and serves the webhook that records who changed a config: each change of
// spec.data is a new immutable ConfigMap NAME-vN, with author, time and message in the history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Kubectl, WharfProcess } from '@wharf/testing';

let wharf: WharfProcess;
let k: Kubectl;

beforeAll(async () => {
  wharf = await WharfProcess.start();
  k = new Kubectl(wharf.kubeconfig);
});

afterAll(async () => {
  await wharf?.stop();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON output, read field by field
type Json = Record<string, any>;

describe('wharf up runs the platform', () => {
  it('publishes each ConfigSet change as an immutable version with its author and message', async () => {
    expect(await k.ok(['get', 'crd', 'configsets.platform.wharf.dev', '-o', 'name'])).toContain(
      'configsets.platform.wharf.dev',
    );
    const user = (await k.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim();
    await k.ok(['apply', '-f', '-'], {
      stdin:
        'apiVersion: platform.wharf.dev/v1alpha1\nkind: ConfigSet\nmetadata: {name: shop-settings, namespace: default, annotations: {platform.wharf.dev/change-message: first}}\nspec:\n  data: {GREETING: hello}\n',
    });
    await eventually(
      async () =>
        (await k.ok(['get', 'cfg', 'shop-settings', '-o', 'jsonpath={.status.version}'])) === '1' ? true : undefined,
      20_000,
      'version 1',
    );
    await k.ok(['patch', 'cfg', 'shop-settings', '--type', 'merge', '-p', '{"spec":{"data":{"GREETING":"hi"}}}']);
    const cs = await eventually(
      async () => {
        const got = JSON.parse(await k.ok(['get', 'cfg', 'shop-settings', '-o', 'json'])) as Json;
        return got.status?.version === 2 ? got : undefined;
      },
      20_000,
      'version 2',
    );
    expect(cs.status.configMap).toBe('shop-settings-v2');
    expect(cs.status.history).toMatchObject([
      { version: 2, configMap: 'shop-settings-v2', author: user, keys: ['GREETING'] },
      { version: 1, configMap: 'shop-settings-v1', author: user, message: 'first' },
    ]);
    // The message of the first change does not describe the second.
    expect(cs.status.history[0].message).toBeUndefined();
    const v1 = JSON.parse(await k.ok(['get', 'configmap', 'shop-settings-v1', '-o', 'json'])) as Json;
    expect(v1).toMatchObject({ immutable: true, data: { GREETING: 'hello' } });
    const edit = await k.run([
      'patch',
      'configmap',
      'shop-settings-v1',
      '--type',
      'merge',
      '-p',
      '{"data":{"GREETING":"tampered"}}',
    ]);
    expect(edit.stderr).toMatch(/field is immutable/);
    const events = await k.ok([
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=shop-settings',
      '-o',
      'jsonpath={range .items[*]}{.message}{"\\n"}{end}',
    ]);
    expect(events).toContain(`version 2 published as ConfigMap shop-settings-v2 by ${user}`);
  });

  it('refuses ConfigSet keys that could escape a mounted directory (the platform webhook checks keys; CEL over map keys is over budget)', async () => {
    const r = await k.run(['apply', '-f', '-'], {
      stdin:
        'apiVersion: platform.wharf.dev/v1alpha1\nkind: ConfigSet\nmetadata: {name: evil, namespace: default}\nspec:\n  data: {"../etc/passwd": x}\n',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /denied the request: spec\.data\["\.\.\/etc\/passwd"\]: Invalid value: keys must consist of alphanumerics/,
    );
    expect((await k.run(['get', 'cfg', 'evil'])).code).not.toBe(0);
  });

  it('shares a ConfigSet of the platform namespace with the namespaces its selector matches', async () => {
    await k.ok(['create', 'namespace', 'wharf-platform']);
    await k.ok(['create', 'namespace', 'shop-dev']);
    await k.ok(['label', 'namespace', 'shop-dev', 'team=shop']);
    await k.ok(['create', 'namespace', 'other']);
    await k.ok(['apply', '-f', '-'], {
      stdin:
        'apiVersion: platform.wharf.dev/v1alpha1\nkind: ConfigSet\nmetadata: {name: company, namespace: wharf-platform}\nspec:\n  data: {PROXY: "http://proxy:3128"}\n  shareWith: {namespaceSelector: {matchLabels: {team: shop}}}\n',
    });
    const copy = await eventually(
      async () => {
        const got = JSON.parse(await k.ok(['get', 'cfg', 'company', '-n', 'shop-dev', '-o', 'json'])) as Json;
        return got.status?.version === 1 ? got : undefined;
      },
      20_000,
      'the copy in shop-dev published',
    );
    expect(copy.spec.data).toEqual({ PROXY: 'http://proxy:3128' });
    expect(copy.metadata.labels['platform.wharf.dev/shared-from']).toBe('wharf-platform.company');
    expect(await k.ok(['get', 'configmap', 'company-v1', '-n', 'shop-dev', '-o', 'jsonpath={.data.PROXY}'])).toBe(
      'http://proxy:3128',
    );
    expect((await k.run(['get', 'cfg', 'company', '-n', 'other'])).code).not.toBe(0);
    // A namespace that stops matching loses the copy.
    await k.ok(['label', 'namespace', 'shop-dev', 'team-']);
    await eventually(
      async () => ((await k.run(['get', 'cfg', 'company', '-n', 'shop-dev'])).code !== 0 ? true : undefined),
      20_000,
      'the copy removed',
    );
  });
});
