// The CSR controllers of kube-controller-manager, in the API server (which holds the CA key):
// - approving: a kubelet client request (`kubernetes.io/kube-apiserver-client-kubelet`) for
//   `system:node:<name>` is approved when its requester may `create`
//   certificatesigningrequests/nodeclient (a bootstrap token, for a new node) or
//   /selfnodeclient (the node renewing its own certificate); other signers wait for a person
//   (`kubectl certificate approve`).
// - signing: an approved request for a client signer gets its certificate from the cluster CA; one
//   that cannot be signed gets a Failed condition with the reason.
// - cleaning: issued and denied requests go after an hour, pending ones after a day (csrcleaner).
import { clone, isRecord, type StoredObject } from '@wharf/api';
import type { StoreEvent, Watcher } from '../storage/index.js';
import { objectKey, resourcePrefix } from '../storage/index.js';
import type { ObjectApi } from '../objects/api.js';
import type { UserInfo } from '../objects/context.js';
import { internalContext } from '../objects/context.js';
import { deleteObject } from '../objects/delete.js';
import { KeyQueue } from '../objects/key-queue.js';
import { CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, conditionsOf, hasCondition, parseRequest } from './csr.js';
import type { CaSigner } from './signer.js';

const GROUP = 'certificates.k8s.io';
const RESOURCE = 'certificatesigningrequests';
const SIGNED_BY_CA = new Set([KUBELET_CLIENT_SIGNER, CLIENT_SIGNER]);
const DONE_TTL_MS = 3600_000;
const PENDING_TTL_MS = 24 * 3600_000;

/** Whether `user` may `create` certificatesigningrequests/<subresource> (an RBAC check). */
export type MayCreate = (user: UserInfo, subresource: string) => boolean;

type Obj = Record<string, unknown>;
const rec = (v: unknown): Obj => (isRecord(v) ? v : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export class CsrController {
  private watcher: Watcher | undefined;
  private cleaner: NodeJS.Timeout | undefined;
  private readonly queue = new KeyQueue((name) => this.sync(name));
  private readonly signing = new Set<string>();

  constructor(
    private readonly api: ObjectApi,
    private readonly signer: CaSigner,
    private readonly mayCreate: MayCreate,
    private readonly now = (): number => Date.now(),
  ) {}

  start(): void {
    const prefix = resourcePrefix(GROUP, RESOURCE);
    this.watcher = this.api.store.watch(prefix, this.api.store.revision, (ev: StoreEvent | undefined) => {
      if (ev && ev.type !== 'DELETED') this.queue.add(ev.object.metadata.name);
    });
    for (const e of this.api.store.list(prefix)) this.queue.add(e.object.metadata.name);
    this.cleaner = setInterval(() => void this.clean(), 60_000);
    this.cleaner.unref();
  }

  stop(): void {
    this.watcher?.stop();
    this.queue.stop();
    if (this.cleaner) clearInterval(this.cleaner);
  }

  private get served() {
    const served = this.api.registry.lookup(GROUP, 'v1', RESOURCE);
    if (!served) throw new Error('certificatesigningrequests are not served');
    return served;
  }

  private async sync(name: string): Promise<void> {
    const csr = this.api.store.get(objectKey(GROUP, RESOURCE, undefined, name));
    if (!csr || csr.metadata.deletionTimestamp) return;
    const spec = rec(csr.spec);
    const decided = hasCondition(csr, 'Approved') || hasCondition(csr, 'Denied');
    if (!decided && spec.signerName === KUBELET_CLIENT_SIGNER) await this.maybeApprove(csr, spec);
    else if (
      hasCondition(csr, 'Approved') &&
      !hasCondition(csr, 'Failed') &&
      !rec(csr.status).certificate &&
      SIGNED_BY_CA.has(String(spec.signerName))
    )
      void this.issue(name, spec);
  }

  private async maybeApprove(csr: StoredObject, spec: Obj): Promise<void> {
    let commonName: string;
    try {
      commonName = parseRequest(String(spec.request)).commonName;
    } catch {
      return; // validated on create; nothing to approve
    }
    const requester: UserInfo = {
      name: String(spec.username ?? ''),
      groups: strings(spec.groups),
      ...(typeof spec.uid === 'string' ? { uid: spec.uid } : {}),
    };
    const self = requester.name === commonName && this.mayCreate(requester, 'selfnodeclient');
    if (!self && !this.mayCreate(requester, 'nodeclient')) return;
    const next = clone(csr);
    next.status = {
      ...rec(next.status),
      conditions: [
        ...conditionsOf(csr),
        {
          type: 'Approved',
          status: 'True',
          reason: 'AutoApproved',
          message: self
            ? 'Auto approving self kubelet client certificate after SubjectAccessReview.'
            : 'Auto approving kubelet client certificate after SubjectAccessReview.',
        },
      ],
    };
    await this.api.update(this.served, '', csr.metadata.name, next, internalContext(), 'approval');
  }

  private async issue(name: string, spec: Obj): Promise<void> {
    if (this.signing.has(name)) return;
    this.signing.add(name);
    let certificate: string | undefined;
    let failure: string | undefined;
    try {
      certificate = await this.signer.sign(
        parseRequest(String(spec.request)),
        strings(spec.usages),
        typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : undefined,
        this.now(),
      );
    } catch (e) {
      failure = (e as Error).message;
    }
    try {
      const current = this.api.store.get(objectKey(GROUP, RESOURCE, undefined, name));
      if (!current || rec(current.status).certificate) return;
      const next = clone(current);
      const status = { ...rec(next.status) };
      if (certificate) status.certificate = Buffer.from(certificate).toString('base64');
      else
        status.conditions = [
          ...conditionsOf(current),
          { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: failure ?? 'signing failed' },
        ];
      next.status = status;
      await this.api.update(this.served, '', name, next, internalContext(), 'status');
    } finally {
      this.signing.delete(name);
    }
  }

  /** Removes requests that are done (issued, denied, failed) after an hour and pending ones after a day. */
  async clean(): Promise<void> {
    const now = this.now();
    for (const { object } of this.api.store.list(resourcePrefix(GROUP, RESOURCE))) {
      const created = Date.parse(String(object.metadata.creationTimestamp ?? ''));
      const done =
        Boolean(rec(object.status).certificate) || hasCondition(object, 'Denied') || hasCondition(object, 'Failed');
      if (Number.isFinite(created) && now - created > (done ? DONE_TTL_MS : PENDING_TTL_MS)) {
        await deleteObject(this.api, this.served, '', object.metadata.name, {}, internalContext());
      }
    }
  }
}
