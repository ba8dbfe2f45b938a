// What every object operation carries: who asks, and how (dry run, field validation mode), plus
// the admission chain that may change or refuse a write.
import type { KubeObject, StoredObject } from '@wharf/api';
import type { Served } from '../registry.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface OpContext {
  readonly user: UserInfo;
  readonly dryRun: boolean;
  readonly fieldValidation: FieldValidation;
  /** Warnings for the `Warning` response header (e.g. unknown fields in Warn mode). */
  readonly warnings: string[];
  /** The manager managedFields records the write under (fieldManager parameter or User-Agent). */
  readonly fieldManager?: string;
  /** Annotations for the request's audit event (admission policies' auditAnnotations). */
  readonly auditAnnotations?: Record<string, string>;
  /**
   * Validating admission of the request's own write, run on the object as it would be stored (after
   * defaulting and the built-in admission plugins) and before it is: ValidatingAdmissionPolicies
   * when no webhook reviews the write, so no dry run is needed first. Throws to refuse.
   */
  readonly validating?: (object: StoredObject, old: StoredObject | undefined) => void;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface AdmissionRequest {
  readonly operation: Operation;
  readonly served: Served;
  readonly namespace: string;
  /** The object being written (mutable for mutating admission); undefined for DELETE. */
  readonly object: KubeObject | undefined;
  readonly old: StoredObject | undefined;
  readonly subresource: string;
  readonly ctx: OpContext;
}

/** An admission plugin: mutates `req.object` or throws an ApiError to refuse. */
export type AdmissionPlugin = (req: AdmissionRequest) => void;

export function internalContext(): OpContext {
  return {
    user: { name: 'system:apiserver', groups: ['system:masters'] },
    dryRun: false,
    fieldValidation: 'Ignore',
    warnings: [],
  };
}
