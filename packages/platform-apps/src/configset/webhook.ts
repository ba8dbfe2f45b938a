// Serves admitConfigSet over HTTPS and registers it with the API server as a
// MutatingWebhookConfiguration (removed again on stop).
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { isStatus, type KubeClient, type Logger } from '@wharf/client';
import { GROUP, VERSION } from '../types.js';
import { admitConfigSet, type AdmissionRequest } from './author.js';

export interface AuthorWebhookOptions {
  /** PEM serving certificate and key, valid for `host`. */
  readonly cert: string;
  readonly key: string;
  /** PEM of the CA that signed `cert` (the webhook's caBundle). */
  readonly caBundle: string;
  /** The address the API server calls, also the listen address. @default 127.0.0.1 */
  readonly host?: string;
  /** @default 0: any free port */
  readonly port?: number;
}

const CONFIG_NAME = 'wharf-platform-configset-author';
const CONFIGS = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const MAX_BODY = 8 * 1024 * 1024;

export class AuthorWebhook {
  private server: https.Server | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly logger: Logger,
    private readonly opts: AuthorWebhookOptions,
  ) {}

  async start(): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1';
    const server = https.createServer({ cert: this.opts.cert, key: this.opts.key }, (req, res) => {
      let size = 0;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        try {
          const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: AdmissionRequest };
          if (!review.request) throw new Error('no request in the AdmissionReview');
          const response = admitConfigSet(review.request);
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
        } catch (e) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end((e as Error).message);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    const config = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: {
        name: CONFIG_NAME,
        labels: { 'app.kubernetes.io/part-of': 'wharf', 'app.kubernetes.io/component': 'platform' },
      },
      webhooks: [
        {
          name: `configset-author.${GROUP}`,
          clientConfig: {
            url: `https://${host.includes(':') ? `[${host}]` : host}:${port}/configsets/author`,
            caBundle: Buffer.from(this.opts.caBundle).toString('base64'),
          },
          rules: [
            { apiGroups: [GROUP], apiVersions: [VERSION], operations: ['CREATE', 'UPDATE'], resources: ['configsets'] },
          ],
          failurePolicy: 'Ignore',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 5,
          reinvocationPolicy: 'Never',
        },
      ],
    };
    const existing = await this.client.getOptional<{ metadata: { resourceVersion: string } }>(
      `${CONFIGS}/${CONFIG_NAME}`,
    );
    if (existing)
      await this.client.replace(`${CONFIGS}/${CONFIG_NAME}`, {
        ...config,
        metadata: { ...config.metadata, resourceVersion: existing.metadata.resourceVersion },
      });
    else await this.client.create(CONFIGS, config);
    this.logger.info({ url: config.webhooks[0]?.clientConfig.url }, 'ConfigSet author webhook registered');
  }

  async stop(): Promise<void> {
    await this.client.delete(`${CONFIGS}/${CONFIG_NAME}`).catch((e: unknown) => {
      if (!isStatus(e, 404)) this.logger.warn({ err: e }, 'cannot remove the author webhook configuration');
    });
    const s = this.server;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    s.closeAllConnections(); // the API server keeps its connections alive
    await closed;
  }
}
