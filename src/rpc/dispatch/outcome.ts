/**
 * What a dispatch step produced, or why it could not. Dispatch never throws and never logs a
 * failure: it hands the error back with the place it happened, and the protocol mapping reports
 * it once (see mapping/report.ts) when it builds the response.
 */
export interface Failure {
  readonly error: unknown;
  /** Where it happened, as the log and error_msg name it: "Connect", "subscribe", "ChatChannel#speak"… */
  readonly where: string;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | Failed;

export interface Failed {
  readonly ok: false;
  readonly failure: Failure;
}

export function succeed<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail(error: unknown, where: string): Failed {
  return { ok: false, failure: { error, where } };
}
