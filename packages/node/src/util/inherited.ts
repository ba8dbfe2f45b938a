// Listening sockets a process hands to its successor (an upgrade of the dataplane without a gap):
// the successor serves on the very sockets the old process listens on, so no connection or
// datagram is refused while one process replaces the other.
import type dgram from 'node:dgram';
import type net from 'node:net';

export type ListenerHandle = net.Server | dgram.Socket;

export interface InheritedListeners {
  /**
   * Takes the listener handed over under `name`: `use` is called in the tick it arrives, so the
   * successor's handlers are attached before the next connection or datagram is read. Rejects when
   * the previous process has none of that name.
   */
  take(name: string, use: (handle: ListenerHandle) => void): Promise<void>;
}
