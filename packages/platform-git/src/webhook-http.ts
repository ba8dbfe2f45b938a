// POST /hooks/<namespace>/<name>: a forge's push or tag event for one Repository. The raw body is
// verified with the provider's scheme and the Secret the Repository names; a bad or missing
// signature is 401, a delivery id seen before is 409 (both recorded in the Repository's status);
// a push runs the trigger with the clone URL from the payload.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answer, getRepository, NAME_RE, NAMESPACE_RE, type ServerContext } from './context.js';
import { parsePushEvent } from './payloads.js';
import { recordEvent } from './recorder.js';
import { verifyDelivery, type Headers } from './signatures.js';
import type { RepositoryEvent } from './types.js';

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const json = (res: ServerResponse, status: number, body: Record<string, unknown>): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

async function secretValue(
  ctx: ServerContext,
  namespace: string,
  ref: { name: string; key: string },
): Promise<string | undefined> {
  const secret = await ctx.client.getOptional<{ data?: Record<string, string> }>(
    `/api/v1/namespaces/${namespace}/secrets/${encodeURIComponent(ref.name)}`,
  );
  const v = secret?.data?.[ref.key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

export async function serveWebhook(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const m = /^\/hooks\/([^/]+)\/([^/]+)$/.exec(path);
  if (!m || !NAMESPACE_RE.test(m[1]!) || !NAME_RE.test(m[2]!))
    return answer(res, 404, 'webhook URLs are /hooks/<namespace>/<repository>');
  if (req.method !== 'POST') return answer(res, 405, 'webhooks are POSTed', { allow: 'POST' });
  const [ns, name] = [m[1]!, m[2]!];
  const body = await readBody(req, ctx.maxWebhookBytes);
  if (!body) return answer(res, 413, `payload over ${ctx.maxWebhookBytes} bytes`, { connection: 'close' });
  const repo = await getRepository(ctx, ns, name);
  if (!repo?.spec.webhook)
    return answer(
      res,
      404,
      repo ? `repository ${ns}/${name} has no spec.webhook` : `repository ${ns}/${name} not found`,
    );
  const { provider, secretRef } = repo.spec.webhook;
  const secret = await secretValue(ctx, ns, secretRef);
  if (secret === undefined)
    return answer(res, 503, `the webhook secret ${secretRef.name}/${secretRef.key} of ${ns}/${name} is missing`);
  const headers = req.headers as Headers;
  const trigger = `webhook:${provider}`;
  const record = (e: Omit<RepositoryEvent, 'time' | 'trigger'>): Promise<void> =>
    recordEvent(ctx.client, ns, name, { time: new Date().toISOString(), trigger, ...e });

  const verdict = verifyDelivery(provider, headers, body, secret);
  // Unverified, so recorded only in part: anyone can send headers.
  const claimedId = (
    headers['x-github-delivery'] ??
    headers['x-gitea-delivery'] ??
    headers['webhook-id'] ??
    headers['idempotency-key']
  )?.slice(0, 100);
  if (!verdict.ok) {
    ctx.logger.warn(
      { repository: `${ns}/${name}`, provider, reason: verdict.reason, remote: req.socket.remoteAddress },
      'webhook signature refused',
    );
    await record({
      result: 'SignatureRefused',
      reason: verdict.reason,
      ...(claimedId ? { deliveryId: claimedId } : {}),
    });
    return json(res, 401, { message: `signature refused: ${verdict.reason}` });
  }
  if (verdict.deliveryId && !ctx.deliveries.accept(`${ns}/${name}`, verdict.deliveryId)) {
    await record({ result: 'Replayed', deliveryId: verdict.deliveryId, reason: 'delivery id seen before' });
    return json(res, 409, { message: `delivery ${verdict.deliveryId} was already received` });
  }
  const parsed = parsePushEvent(provider, headers, body);
  if (parsed.kind === 'invalid') return json(res, 400, { message: parsed.reason });
  if (parsed.kind === 'ignored') return json(res, 202, { result: 'Ignored', message: parsed.reason });
  const event = await ctx.trigger.onPush(repo, {
    ...parsed.push,
    trigger,
    ...(verdict.deliveryId ? { deliveryId: verdict.deliveryId } : {}),
  });
  await record(event);
  ctx.logger.info(
    {
      repository: `${ns}/${name}`,
      provider,
      ref: event.ref,
      commit: event.commit,
      result: event.result,
      pipelineRun: event.pipelineRun,
    },
    'webhook delivery',
  );
  return json(res, 202, {
    result: event.result,
    ...(event.pipelineRun ? { pipelineRun: event.pipelineRun } : {}),
    ...(event.reason ? { message: event.reason } : {}),
  });
}
