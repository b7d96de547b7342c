/**
 * Which numbers the dashboard may call. A call costs money, and some numbers cost a great deal:
 * premium-rate and satellite ranges are refused unless an operator lists them explicitly. With
 * TWILIO_ALLOWED_DESTINATIONS set (comma-separated E.164 numbers or prefixes, e.g. "+44,+1555")
 * only numbers under one of them may be called.
 */
export interface DestinationPolicy {
  /** undefined: any number not in a costly range. */
  readonly allowed: readonly string[] | undefined;
}

export type DestinationVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Ranges billed far above ordinary calls, refused by default: international networks and
 * satellite phones (+870 Inmarsat, +881 GMSS such as Iridium and Thuraya, +882/+883 international
 * networks), international premium rate (+979) and shared cost (+808), North American premium
 * (+1 900, +1 976), UK premium and personal numbers (+44 9, +44 70, +44 87).
 */
export const COSTLY_PREFIXES: readonly string[] = [
  "+870",
  "+881",
  "+882",
  "+883",
  "+979",
  "+808",
  "+1900",
  "+1976",
  "+449",
  "+4470",
  "+4487",
];

const PREFIX = /^\+[1-9]\d{0,14}$/;

export function parseDestinationPolicy(raw: string | undefined): { ok: true; policy: DestinationPolicy } | { ok: false; error: string } {
  if (raw === undefined || raw.trim() === "") return { ok: true, policy: { allowed: undefined } };
  const entries = raw
    .split(",")
    .map((entry) => entry.trim().replace(/[\s().-]/g, ""))
    .filter((entry) => entry !== "");
  const bad = entries.filter((entry) => !PREFIX.test(entry));
  if (bad.length > 0) return { ok: false, error: `expected E.164 numbers or prefixes such as +44 or +15551234567, got ${bad.join(", ")}` };
  return { ok: true, policy: { allowed: entries } };
}

/** `to` is already normalised E.164. */
export function checkDestination(policy: DestinationPolicy, to: string): DestinationVerdict {
  const listed = policy.allowed?.filter((prefix) => to.startsWith(prefix)) ?? [];
  if (policy.allowed && listed.length === 0) {
    return { ok: false, reason: `Calls to ${to} are not allowed here: the allowed destinations are ${policy.allowed.join(", ")}.` };
  }
  const costly = COSTLY_PREFIXES.find((prefix) => to.startsWith(prefix));
  // A costly range is callable only when an operator listed it (or a number inside it) on purpose.
  if (costly && !listed.some((prefix) => prefix.startsWith(costly))) {
    return {
      ok: false,
      reason: `Calls to ${to} are refused: ${costly} is a premium-rate or satellite range. List it in TWILIO_ALLOWED_DESTINATIONS to allow it.`,
    };
  }
  return { ok: true };
}
