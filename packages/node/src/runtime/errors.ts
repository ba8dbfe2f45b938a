// The runtime's error classes; the node agent maps them to pod status reasons and Events.

/** No sandbox or container with that id. */
export class NotFoundError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_RUNTIME_NOT_FOUND';
  constructor(kind: 'sandbox' | 'container', id: string) {
    super(`${kind} ${id} not found`);
    this.name = 'NotFoundError';
  }
}

/** A sandbox or container with that id exists already. */
export class AlreadyExistsError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_RUNTIME_ALREADY_EXISTS';
  constructor(kind: 'sandbox' | 'container', id: string) {
    super(`${kind} ${id} already exists`);
    this.name = 'AlreadyExistsError';
  }
}

/** The operation does not apply in the object's current state (e.g. starting a running container). */
export class InvalidStateError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_RUNTIME_INVALID_STATE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStateError';
  }
}

/** runc could not start the container's process (the container is left exited with reason StartError). */
export class ContainerStartError extends Error {
  /** Stable across releases: test `e.code`, not the message. */
  readonly code: string = 'WHARF_CONTAINER_START';
  constructor(
    readonly id: string,
    reason: string,
  ) {
    super(`container ${id} failed to start: ${reason}`);
    this.name = 'ContainerStartError';
  }
}
