// The shape of Wharf's protobuf schema table: for each message, its JSON field names mapped to the
// field number and type published in the `protobuf:"…"` struct tags of k8s.io/api and apimachinery.
//
// Field type strings:
//   string | bool | int32 | int64 | bytes | double   scalars (bytes become base64 strings)
//   Time | MicroTime | Quantity | IntOrString | RawJSON   apimachinery types with their own encoding
//   <group>.<Message>                                     a nested message in the table
//   []T                                                   repeated (scalars may be packed)
//   {}T                                                   map<string, T> (entry messages {1: key, 2: value})
// A leading `*` on a scalar marks a field whose zero value must still appear when it is on the wire:
// a Go pointer (`replicas: 0`, `optional: false`) or a Go field without `omitempty`. Other scalars
// are dropped when zero, as Go's JSON encoder does. A JSON name starting with `...` is an embedded
// struct (`json:",inline"`): its fields are merged into the parent object.

export type FieldSpec = readonly [number: number, type: string];
export type MessageSpec = Readonly<Record<string, FieldSpec>>;
export type SchemaTable = Readonly<Record<string, MessageSpec>>;

/** apiVersion → kind → message name. */
export type KindTable = Readonly<Record<string, Readonly<Record<string, string>>>>;
