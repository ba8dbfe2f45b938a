// A --port option's value for the platform image's commands (which cannot load up-options.ts and
// its API server imports): a clear one-line error for anything but 0-65535.
export function portOption(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${flag} '${value}' is not a port number`);
  return port;
}
