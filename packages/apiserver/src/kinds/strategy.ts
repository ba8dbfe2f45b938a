// What makes one built-in kind different from the next, in one object per kind (the real API
// server's per-resource strategy, pkg/registry/<group>/<kind>/strategy.go): defaults, validation,
// the server-set fields of a new object, its status on create, deletion rules, table columns and
// field labels. The generic write, print and select paths ask the kind's strategy
// (kinds/registry.ts) and never test a kind's name themselves.
import type { KubeObject, StoredObject } from '@wharf/api';
import type { Printer } from '../tables/columns.js';
import type { FieldIssue } from '../validation/issues.js';
import type { NameRule } from '../validation/names.js';
import type { KindFields } from '../selectors/field-values.js';
import type { Operation } from '../defaults/core.js';

export type Obj = Record<string, unknown>;
export type { Operation };

export interface KindStrategy {
  readonly group: string;
  readonly kind: string;
  /** The plural resource name: tables and field selectors are looked up by it. */
  readonly resource: string;
  /**
   * Server-side defaults, applied in place after decoding a create or update body (and after
   * metadata.uid and metadata.name are set). `version` is the served version written to.
   */
  readonly defaults?: (obj: Obj, operation: Operation, version: string) => void;
  /** Semantic checks of a create (and of an update, before validateUpdate). */
  readonly validate?: (obj: Obj) => FieldIssue[];
  /** The extra rules of an update: immutable fields, frozen data. */
  readonly validateUpdate?: (obj: Obj, old: Obj) => FieldIssue[];
  /**
   * Warnings for a valid object, sent with the response of its create or update (upstream's WarningsOnCreate/Update).
   */
  readonly warnings?: (obj: Obj) => string[];
  /** The rule metadata.name follows. @default 'subdomain' */
  readonly nameRule?: NameRule;
  /** The status a client sends on create is stored (else it is dropped). @default false */
  readonly keepsStatusOnCreate?: boolean;
  /** Server-set fields of a new object, after the generic metadata (a Pod's phase and QoS class). */
  readonly prepareForCreate?: (obj: KubeObject) => void;
  /**
   * Spec parts only a subresource writes (a Pod's ephemeral containers): a write to the main
   * resource keeps them as stored, and a write to the subresource changes only them.
   */
  readonly subresourceFields?: Readonly<Record<string, readonly string[]>>;
  /**
   * A write to a subresource whose merge rules are the kind's own (a CSR's /approval and /status):
   * the object to store, built from the stored one, or undefined for the generic rules. Throws
   * an ApiError (422) for a write the subresource may not make.
   */
  readonly subresourceUpdate?: (subresource: string, given: KubeObject, old: StoredObject) => KubeObject | undefined;
  /** The `kubectl get` columns. @default Name and Created At */
  readonly printer?: Printer;
  /** The field selector conversion. @default metadata.name (and metadata.namespace) only */
  readonly fieldLabels?: KindFields;
  /**
   * Graceful deletion: the seconds a delete waits before the object is removed (it is kept with
   * a deletionTimestamp meanwhile), or undefined to remove it at once. `asked` is the request's
   * gracePeriodSeconds when one was given.
   */
  readonly gracePeriod?: (obj: StoredObject, asked: number | undefined) => number | undefined;
  /**
   * Finalizers the kind keeps in its spec, which hold deletion as metadata.finalizers do, and
   * what a deletion that has to wait for them changes (a Namespace becomes Terminating).
   */
  readonly specFinalizers?: {
    pending(obj: KubeObject): boolean;
    markDeleting(obj: KubeObject): void;
  };
}
