import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveUpOptions } from './up-options.js';

describe('resolveUpOptions', () => {
  it('applies the documented defaults once', () => {
    expect(resolveUpOptions({}, false)).toEqual({
      dataDir: join(homedir(), '.wharf'),
      apiPort: 6443,
      registryPort: 5000,
      ingressPort: 8080,
      ingressHttpsPort: 8443,
      nodes: 0,
      nodeProcesses: true,
      runtime: undefined,
      simulatedNodes: 0,
      registryAnonymousPull: false,
      logFormat: 'json',
      logLevel: 'info',
      platform: true,
      artifactDelivery: 'auto',
      compactEveryMs: undefined,
      compactKeepRevisions: undefined,
      compactRetentionMs: undefined,
      watchTimeoutSeconds: undefined,
      defaultTolerationSeconds: undefined,
      nodeMonitorGracePeriodSeconds: undefined,
      nodeMonitorPeriodSeconds: 5,
      hpaSyncPeriodSeconds: 15,
      nodeEvictionRate: undefined,
      podGcQuarantineSeconds: undefined,
      gitPort: 8090,
      gitPortGiven: false,
      consolePort: 8070,
      consolePortGiven: false,
      maxConcurrentBuilds: 2,
      monitoring: {
        prometheusUrl: undefined,
        alertmanagerUrl: undefined,
        alertmanagerConfigFile: undefined,
        alertFor: undefined,
        scrapeInterval: '30s',
        retention: '15d',
      },
    });
    expect(resolveUpOptions({ monitoring: false }, false).monitoring).toBeUndefined();
    expect(resolveUpOptions({}, true).logFormat).toBe('text');
  });

  it('parses what was given (0 is a free port; --watch-timeout 0 is the default; --no-node-processes)', () => {
    const c = resolveUpOptions(
      {
        dataDir: 'd',
        apiPort: '0',
        nodes: '2',
        nodeProcesses: false,
        watchTimeout: '0',
        nodeEvictionRate: '0.5',
        podGcQuarantine: '5',
        nodeMonitorPeriod: '1',
        horizontalPodAutoscalerSyncPeriod: '5',
        logFormat: 'json',
        logLevel: 'debug',
      },
      true,
    );
    expect(c).toMatchObject({
      apiPort: 0,
      nodes: 2,
      nodeProcesses: false,
      watchTimeoutSeconds: undefined,
      nodeEvictionRate: 0.5,
      podGcQuarantineSeconds: 5,
      nodeMonitorPeriodSeconds: 1,
      hpaSyncPeriodSeconds: 5,
      logFormat: 'json',
      logLevel: 'debug',
    });
    expect(c.dataDir).toBe(join(process.cwd(), 'd'));
    expect(resolveUpOptions({ gitPort: '9000', maxConcurrentBuilds: '4' }, false)).toMatchObject({
      gitPort: 9000,
      gitPortGiven: true,
      maxConcurrentBuilds: 4,
    });
    expect(resolveUpOptions({ consolePort: '0' }, false)).toMatchObject({ consolePort: 0, consolePortGiven: true });
  });

  it('chooses the store: --store, or etcd implied by --etcd-servers; refuses what does not fit', () => {
    expect(resolveUpOptions({}, false).store).toBeUndefined();
    expect(resolveUpOptions({ store: 'etcd' }, false).store).toEqual({ kind: 'etcd', servers: [] });
    expect(resolveUpOptions({ etcdServers: 'http://127.0.0.1:2379,http://127.0.0.1:22379' }, false).store).toEqual({
      kind: 'etcd',
      servers: ['http://127.0.0.1:2379', 'http://127.0.0.1:22379'],
    });
    expect(() => resolveUpOptions({ store: 'mysql' }, false)).toThrow('--store must be sqlite or etcd, got "mysql"');
    expect(() => resolveUpOptions({ store: 'sqlite', etcdServers: 'http://127.0.0.1:2379' }, false)).toThrow(
      '--etcd-servers needs --store etcd',
    );
    expect(() => resolveUpOptions({ etcdServers: '127.0.0.1:2379' }, false)).toThrow(
      '--etcd-servers must be an http(s) URL, got "127.0.0.1:2379"',
    );
  });

  it('refuses bad flags with a message naming the flag, before anything starts', () => {
    expect(() => resolveUpOptions({ apiPort: '70000' }, false)).toThrow(
      '--api-port must be a port number (0-65535), got "70000"',
    );
    expect(() => resolveUpOptions({ registryPort: 'x' }, false)).toThrow(
      '--registry-port must be a non-negative integer, got "x"',
    );
    expect(() => resolveUpOptions({ nodes: '-1' }, false)).toThrow('--nodes must be a non-negative integer, got "-1"');
    expect(() => resolveUpOptions({ consoleAddress: 'my-host' }, false)).toThrow(
      '--console-address must be an IP address, got "my-host"',
    );
    expect(resolveUpOptions({ consoleAddress: '0.0.0.0' }, false).consoleHttps).toEqual({
      address: '0.0.0.0',
      port: 8071,
    });
    expect(() => resolveUpOptions({ nodeEvictionRate: 'fast' }, false)).toThrow(
      '--node-eviction-rate must be a non-negative number, got "fast"',
    );
    expect(() => resolveUpOptions({ maxConcurrentBuilds: '0' }, false)).toThrow(
      '--max-concurrent-builds must be a positive integer, got "0"',
    );
    expect(() => resolveUpOptions({ gitPort: '99999' }, false)).toThrow(
      '--git-port must be a port number (0-65535), got "99999"',
    );
    expect(() => resolveUpOptions({ logFormat: 'xml' }, false)).toThrow(
      '--log-format must be one of json, text, got "xml"',
    );
    expect(() => resolveUpOptions({ prometheusUrl: 'localhost:9090' }, false)).toThrow(
      '--prometheus-url must be an http(s) URL, got "localhost:9090"',
    );
    expect(() => resolveUpOptions({ scrapeInterval: '30' }, false)).toThrow(
      '--scrape-interval must be a Prometheus duration such as 30s or 5m, got "30"',
    );
  });

  it('takes the --ldap-* flags, and refuses clear-text binds and incomplete ones', () => {
    expect(resolveUpOptions({}, false).ldap).toBeUndefined();
    expect(
      resolveUpOptions(
        {
          ldapUrl: 'ldaps://dir.example.com',
          ldapUserDnTemplate: 'uid={username},ou=people,dc=x',
          ldapGroupSearchBase: 'ou=groups,dc=x',
          ldapTokenTtl: '600',
        },
        false,
      ).ldap,
    ).toEqual({
      url: 'ldaps://dir.example.com',
      userDNTemplate: 'uid={username},ou=people,dc=x',
      groupSearchBase: 'ou=groups,dc=x',
      tokenTtlSeconds: 600,
    });
    const base = { ldapUserDnTemplate: 'uid={username},dc=x', ldapGroupSearchBase: 'dc=x' };
    expect(() => resolveUpOptions({ ...base, ldapUrl: 'ldap://dir.example.com' }, false)).toThrow(
      '--ldap-url ldap:// needs --ldap-start-tls',
    );
    expect(
      resolveUpOptions({ ...base, ldapUrl: 'ldap://dir.example.com', ldapStartTls: true }, false).ldap?.startTLS,
    ).toBe(true);
    expect(() =>
      resolveUpOptions({ ...base, ldapUrl: 'ldaps://d', ldapUserDnTemplate: 'uid=bob,dc=x' }, false),
    ).toThrow('--ldap-user-dn-template must contain {username}');
    expect(() => resolveUpOptions({ ldapCaFile: '/ca.pem' }, false)).toThrow('the --ldap-* flags need --ldap-url');
  });

  it('takes the --audit-* flags as kube-apiserver does, and refuses them without a policy', () => {
    expect(resolveUpOptions({}, false).audit).toBeUndefined();
    expect(
      resolveUpOptions(
        {
          auditPolicyFile: '/etc/wharf/audit.yaml',
          auditLogMaxsize: '5',
          auditLogMaxbackup: '2',
          auditWebhookBatchMaxWait: '3',
        },
        false,
      ).audit,
    ).toEqual({ policyFile: '/etc/wharf/audit.yaml', logMaxSizeMB: 5, logMaxBackups: 2, webhookBatchMaxWaitMs: 3000 });
    expect(resolveUpOptions({ auditPolicyFile: '/p.yaml', auditLogPath: '-' }, false).audit?.logPath).toBe('-');
    expect(() => resolveUpOptions({ auditLogPath: '/x.log' }, false)).toThrow(
      'the --audit-* flags need --audit-policy-file',
    );
    expect(() => resolveUpOptions({ auditPolicyFile: '/p.yaml', auditLogMaxsize: 'big' }, false)).toThrow(
      '--audit-log-maxsize must be a non-negative integer, got "big"',
    );
  });

  it('takes the --oidc-* flags as kube-apiserver does, and refuses incomplete or unsafe ones', () => {
    expect(resolveUpOptions({}, false).oidc).toBeUndefined();
    expect(
      resolveUpOptions(
        {
          oidcIssuerUrl: 'https://idp.example.com/realms/a',
          oidcClientId: 'wharf',
          oidcGroupsClaim: 'groups',
          oidcUsernamePrefix: '-',
        },
        false,
      ).oidc,
    ).toEqual({
      issuerURL: 'https://idp.example.com/realms/a',
      clientID: 'wharf',
      groupsClaim: 'groups',
      usernamePrefix: '-',
    });
    expect(() => resolveUpOptions({ oidcIssuerUrl: 'https://idp.example.com' }, false)).toThrow(
      '--oidc-client-id is required with --oidc-issuer-url',
    );
    expect(() => resolveUpOptions({ oidcIssuerUrl: 'http://idp.example.com', oidcClientId: 'x' }, false)).toThrow(
      '--oidc-issuer-url must be an https URL',
    );
    expect(() => resolveUpOptions({ oidcClientId: 'x' }, false)).toThrow('the --oidc-* flags need --oidc-issuer-url');
  });
});
