// `wharf login` and `wharf credential oidc` (the exec credential plugin kubectl runs).
import type { Command } from 'commander';
import { example } from '../kube/options.js';

export function addLoginCommands(program: Command): void {
  program
    .command('login')
    .description(
      'sign in with your company\'s OpenID provider; kubectl then acts as you through "wharf credential oidc"',
    )
    .requiredOption('--issuer <url>', "the OpenID provider (as the API server's --oidc-issuer-url)")
    .requiredOption('--client-id <id>', 'the client registered at the provider (as --oidc-client-id)')
    .option('--client-secret <secret>', 'for a confidential client (kept in the token cache, not the kubeconfig)')
    .option('--certificate-authority <file>', "CA bundle of the provider's certificate (default: the system's)")
    .option('--scope <scopes>', 'scopes to ask for', 'openid offline_access profile email groups')
    .option('--device', 'device flow: show a code to enter in a browser elsewhere (for machines without a browser)')
    .option('--no-browser', 'print the sign-in URL without trying to open a browser')
    .option('--listen-port <port>', "loopback port for the browser's redirect (0: any free port)", '0')
    .option('--timeout <seconds>', 'give up on a sign-in not finished in this long', '300')
    .option('--cache-dir <dir>', 'where tokens are kept (0600 files)', '~/.wharf/oidc')
    .option(
      '--kubeconfig <file>',
      'the kubeconfig to add the user to (default: $KUBECONFIG, else the kubeconfig of "wharf up" in ~/.wharf, else ~/.kube/config)',
    )
    .option('--user <name>', 'name of the kubeconfig user and context (default: oidc-<email or username>)')
    .option('--namespace <ns>', "namespace of the new context (default: the current context's)")
    .addHelpText(
      'after',
      example(
        'wharf login --issuer https://idp.example.com/realms/acme --client-id wharf\nwharf login --issuer https://idp.example.com --client-id wharf --device',
      ),
    )
    .action(async (o) => (await import('./login.js')).login(withCacheDir(o)));

  const credential = program.command('credential', { hidden: true }).description('credential plugins kubectl runs');
  credential
    .command('oidc')
    .description(
      "print the signed-in user's ID token as a client.authentication.k8s.io/v1 ExecCredential, refreshing it when needed",
    )
    .requiredOption('--issuer <url>', 'the OpenID provider')
    .requiredOption('--client-id <id>', 'the client ID')
    .option('--cache-dir <dir>', 'where "wharf login" kept the tokens', '~/.wharf/oidc')
    .action(async (o: { issuer: string; clientId: string; cacheDir: string }) => {
      const { oidcCredential } = await import('./credential.js');
      const { cacheDirOf } = await import('./cache.js');
      const cred = await oidcCredential({
        issuer: o.issuer,
        clientId: o.clientId,
        cacheDir: cacheDirOf(withCacheDir(o).cacheDir),
      });
      process.stdout.write(`${JSON.stringify(cred)}\n`);
    });
}

/** The help shows `~/.wharf/oidc`; the default itself is resolved from the home directory. */
function withCacheDir<T extends { cacheDir?: string }>(o: T): T {
  return o.cacheDir === '~/.wharf/oidc' ? { ...o, cacheDir: undefined } : o;
}
