// The agent's exec, attach and port-forward endpoints (WebSocket channel protocols).
export { StreamingServer, parsePorts, type StreamingServerOptions, type StreamingRuntime } from './server.js';
export {
  exitStatus,
  errorStatus,
  chooseProtocol,
  REMOTE_COMMAND_PROTOCOLS,
  PORT_FORWARD_PROTOCOLS,
  type Status,
} from './protocol.js';
