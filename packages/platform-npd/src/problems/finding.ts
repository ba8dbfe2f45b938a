/** What a monitor observed: a passing problem, a condition's problem, its recovery, or "cannot tell". */
export type Finding =
  | { readonly kind: 'temporary'; readonly reason: string; readonly message: string; readonly timeMs: number }
  | {
      readonly kind: 'permanent';
      readonly condition: string;
      readonly reason: string;
      readonly message: string;
      readonly timeMs: number;
    }
  | { readonly kind: 'recovered'; readonly condition: string; readonly timeMs: number }
  | {
      readonly kind: 'unknown';
      readonly condition: string;
      readonly reason: string;
      readonly message: string;
      readonly timeMs: number;
    };
