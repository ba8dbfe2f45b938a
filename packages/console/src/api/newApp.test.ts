import { describe, expect, it } from 'vitest';
import { applicationOf, fieldOf } from './newApp.js';

describe('the create-application wizard', () => {
  it('makes the Application `wharf app create` makes: one component, artifacts, a port and host, config references', () => {
    const app = applicationOf({
      name: ' site ',
      namespace: 'default',
      component: '',
      image: 'busybox:1',
      command: 'sh\n-c\n echo hi \n',
      replicas: 2,
      port: 8080,
      host: 'site.localhost',
      analysisSeconds: 2,
      artifacts: [{ image: 'site:1', path: '/site', mountPath: '/www' }],
      config: [
        { configSet: 'shop-settings', as: 'env' },
        { configSet: 'files', as: 'file', mountPath: '/etc/app' },
      ],
    });
    expect(app).toEqual({
      apiVersion: 'platform.wharf.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'site', namespace: 'default' },
      spec: {
        components: [
          {
            name: 'web',
            runtime: { image: 'busybox:1', command: ['sh', '-c', 'echo hi'] },
            artifacts: [{ image: 'site:1', path: '/site', mountPath: '/www' }],
            replicas: 2,
            ports: [{ port: 8080 }],
            expose: { host: 'site.localhost' },
            config: [
              { configSet: 'shop-settings', as: 'env' },
              { configSet: 'files', as: 'file', mountPath: '/etc/app' },
            ],
          },
        ],
        rollout: { analysisSeconds: 2 },
      },
    });
    expect(applicationOf({ name: 'a', namespace: 'n', component: 'api', image: 'x' }).spec).toEqual({
      components: [{ name: 'api', runtime: { image: 'x' }, replicas: 1 }],
    });
  });
  it("puts the API's refusal next to the field it names", () => {
    expect(fieldOf({ field: 'metadata.name' })).toEqual(['name']);
    expect(fieldOf({ field: 'spec.components[0].artifacts[1].mountPath' })).toEqual(['artifacts', 1, 'mountPath']);
    expect(fieldOf({ field: 'spec.components[0].config[0]' })).toEqual(['config', 0, 'configSet']);
    expect(fieldOf({ field: 'spec.components[0].runtime.image' })).toEqual(['image']);
    expect(fieldOf({ field: 'spec.components[0].expose' })).toEqual(['host']);
    expect(fieldOf({ field: 'spec.components[0].ports[0].port' })).toEqual(['port']);
    expect(fieldOf({ field: 'spec.revisionHistoryLimit' })).toBeUndefined();
  });
});
