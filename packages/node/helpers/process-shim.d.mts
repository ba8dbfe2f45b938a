// Types of process-shim.mjs, for the tests that import its CRI log helpers.
export declare function criTimestamp(ns: bigint): string;
export declare function splitCriLines(
  pending: string,
  chunk: string,
  stream: string,
  ts: string,
  maxLine: number,
): { out: string; pending: string };
export declare function shimMain(cfg: unknown): void;
