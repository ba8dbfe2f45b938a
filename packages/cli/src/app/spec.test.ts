import { describe, expect, it } from 'vitest';
import type { Application } from '@wharf/platform-apps';
import { applicationFromFlags, deploySpec, parseArtifact, parseConfigRef, parseSecretRef } from './spec.js';

describe('applicationFromFlags', () => {
  it('builds the one-component Application of the common case, command after --', () => {
    const app = applicationFromFlags(
      'shop',
      'demo',
      {
        image: 'busybox:1',
        artifact: ['shop-site:1:/site:/www'],
        replicas: '2',
        port: ['http:8080'],
        host: 'shop.localhost',
        env: ['MODE=a=b'],
        config: ['shop-settings', 'shop-files:file:/www/conf:inPlace'],
        secret: ['shop-secrets:file:/run/secrets'],
        analysisSeconds: '5',
        batchSeconds: '0',
      },
      ['httpd', '-f', '-p', '8080', '-h', '/www'],
    );
    expect(app).toEqual({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop', namespace: 'demo' },
      spec: {
        components: [
          {
            name: 'web',
            runtime: { image: 'busybox:1', command: ['httpd', '-f', '-p', '8080', '-h', '/www'] },
            artifacts: [{ image: 'shop-site:1', path: '/site', mountPath: '/www' }],
            replicas: 2,
            ports: [{ name: 'http', port: 8080 }],
            expose: { host: 'shop.localhost' },
            env: [{ name: 'MODE', value: 'a=b' }],
            config: [
              { configSet: 'shop-settings', as: 'env' },
              { configSet: 'shop-files', as: 'file', mountPath: '/www/conf', update: 'inPlace' },
            ],
            secrets: [{ secret: 'shop-secrets', as: 'file', mountPath: '/run/secrets' }],
          },
        ],
        rollout: { analysisSeconds: 5, batchSeconds: 0 },
      },
    });
  });

  it.each([
    [{}, /--image is required/],
    [{ image: 'a', replicas: 'two' }, /--replicas two: expected a whole number/],
    [{ image: 'a', host: 'x.localhost' }, /--host needs --port/],
    [{ image: 'a', port: ['70000'] }, /at most 65535/],
    [{ image: 'a', env: ['NOVALUE'] }, /--env NOVALUE: expected KEY=VALUE/],
    [{ image: 'a', batchSeconds: 'soon' }, /--batch-seconds soon: expected a whole number/],
  ])('refuses bad flags with a message naming the flag (%o)', (flags, message) => {
    expect(() => applicationFromFlags('x', 'default', flags)).toThrow(message);
  });
});

describe('flag values', () => {
  it('splits IMAGE:PATH:MOUNT even when the image names a registry port', () => {
    expect(parseArtifact('registry.local:5000/team/site:2:/srv/site:/www')).toEqual({
      image: 'registry.local:5000/team/site:2',
      path: '/srv/site',
      mountPath: '/www',
    });
    expect(() => parseArtifact('site:1')).toThrow(/expected IMAGE:PATH:MOUNT/);
  });

  it('reads config and secret references, refusing what the controller would refuse', () => {
    expect(parseConfigRef('app-args:args')).toEqual({ configSet: 'app-args', as: 'args' });
    expect(() => parseConfigRef('c:file')).toThrow(/needs a mount path/);
    expect(() => parseConfigRef('c:yaml')).toThrow(/env, args or file/);
    expect(() => parseConfigRef('c:file:/x:sometimes')).toThrow(/rollout, inPlace or manual/);
    expect(parseSecretRef('s')).toEqual({ secret: 's', as: 'env' });
    expect(() => parseSecretRef('s:args')).toThrow(/env or file/);
  });
});

describe('deploySpec', () => {
  const app: Application = {
    metadata: { name: 'shop' },
    spec: {
      components: [
        {
          name: 'web',
          runtime: { image: 'tomcat:10' },
          artifacts: [
            { name: 'shop', image: 'shop-war:1', path: '/war', mountPath: '/webapps/shop' },
            { image: 'admin-war:1', path: '/war', mountPath: '/webapps/admin' },
          ],
        },
        { name: 'worker', runtime: { image: 'worker:1' } },
      ],
    },
  };

  it('changes the runtime image of the chosen component only', () => {
    const spec = deploySpec(app, { component: 'worker', image: 'worker:2' });
    expect(spec.components[1]?.runtime.image).toBe('worker:2');
    expect(spec.components[0]).toBe(app.spec.components[0]);
  });

  it('changes an artifact by name, by artifact-N, or by mount path', () => {
    const spec = deploySpec(app, { component: 'web', artifact: ['shop=shop-war:2', 'artifact-1=admin-war:3'] });
    expect(spec.components[0]?.artifacts?.map((a) => a.image)).toEqual(['shop-war:2', 'admin-war:3']);
    const byMount = deploySpec(app, {
      component: 'web',
      artifact: ['admin-war:4:/war:/webapps/admin', 'docs:1:/docs:/webapps/docs'],
    });
    expect(byMount.components[0]?.artifacts?.map((a) => `${a.image} ${a.mountPath}`)).toEqual([
      'shop-war:1 /webapps/shop',
      'admin-war:4 /webapps/admin',
      'docs:1 /webapps/docs',
    ]);
  });

  it('says what is ambiguous or missing', () => {
    expect(() => deploySpec(app, { image: 'x' })).toThrow(/components web, worker: choose one with --component/);
    expect(() => deploySpec(app, { component: 'db', image: 'x' })).toThrow(/has no component db; it has web, worker/);
    expect(() => deploySpec(app, { component: 'web', artifact: ['shop-war:2'] })).toThrow(/has 2 artifacts; name one/);
    expect(() => deploySpec(app, { component: 'web', artifact: ['nope=x:1'] })).toThrow(
      /has no artifact nope; it has shop, artifact-1/,
    );
    expect(() => deploySpec(app, { component: 'web' })).toThrow(/nothing to deploy/);
  });
});
