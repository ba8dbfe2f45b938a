// Decoding of `application/vnd.kubernetes.protobuf` request bodies (kubectl's typed clients) into
// the JSON objects the rest of the API server works with. Encoding responses is not done here:
// clients accept JSON answers.
export { PROTOBUF_MEDIA_TYPE, decodeKubernetesProtobuf, hasProtobufMagic, protobufMessageFor } from './envelope.js';
export { ProtobufDecodeError, type ProtobufDecodeErrorReason } from './errors.js';
