import { z } from "zod";

/** A URL whose protocol is one of `protocols` (e.g. ["redis:", "rediss:"]); the message shows `example`. */
export function urlWithProtocols(protocols: readonly string[], example: string) {
  return z
    .string()
    .trim()
    .refine(
      (raw) => {
        try {
          return protocols.includes(new URL(raw).protocol);
        } catch {
          return false;
        }
      },
      { message: `expected a ${protocols.map((p) => p.replace(/:$/, "")).join(" or ")} URL, e.g. ${example}` },
    );
}

/** A NATS subject, Redis channel or stream key: brokers split commands on whitespace. */
export const subjectOrKey = z
  .string()
  .trim()
  .refine((v) => !/\s/.test(v), { message: "must not contain whitespace" });
