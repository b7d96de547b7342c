/**
 * Presence sets read from the server side, through anycable-go's REST API
 * (`GET <api>/presence/<stream>/users`, anycable-go 1.6.10+ with a presence-capable broker).
 * Authorised with the API secret, which anycable-go derives from `--secret` as
 * hex(HMAC-SHA256(secret, "api-cable")) unless `--api_secret` is given; the API answers on the
 * main port under `/api` unless `--api_port` / `--api_path` say otherwise.
 */
import { createHmac } from "node:crypto";
import { z } from "zod";
import { parseEnv } from "../config/env.js";

export interface PresenceRecord {
  id: string;
  /** What the member joined with: any JSON value, or undefined when it sent none. */
  info: unknown;
}

export interface PresenceInfo {
  /** Distinct presence ids in the stream's set. */
  total: number;
  records: PresenceRecord[];
}

/** anycable-go refused or could not answer; `status` is its HTTP status (0: no answer). */
export class PresenceApiError extends Error {
  override name = "PresenceApiError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface PresenceApiOptions {
  /** The API base URL, e.g. `http://127.0.0.1:8080/api`. */
  url: string;
  /** Bearer secret; undefined when the API runs unauthenticated (its own port, or --public). */
  secret?: string | undefined;
  /** Per-request timeout; default 5 s. */
  timeoutMs?: number;
}

const API_KEY_PHRASE = "api-cable";

/** The API secret anycable-go derives from its application secret. */
export function deriveApiSecret(secret: string): string {
  return createHmac("sha256", secret).update(API_KEY_PHRASE).digest("hex");
}

const presenceApiEnv = z.object({
  ANYCABLE_API_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
  ANYCABLE_API_SECRET: z.string().optional(),
  ANYCABLE_SECRET: z.string().optional(),
});

/** ANYCABLE_API_URL (default `http://localhost:8080/api`), ANYCABLE_API_SECRET, else derived from ANYCABLE_SECRET. */
export function loadPresenceApiConfig(env: NodeJS.ProcessEnv = process.env): PresenceApiOptions {
  const values = parseEnv(presenceApiEnv, env, "presence API");
  const url = values.ANYCABLE_API_URL ?? "http://localhost:8080/api";
  const app = values.ANYCABLE_SECRET;
  const secret = values.ANYCABLE_API_SECRET ?? (app !== undefined && app !== "none" ? deriveApiSecret(app) : undefined);
  return { url, secret: secret === "none" ? undefined : secret };
}

const infoSchema = z.object({
  total: z.number().int().nonnegative(),
  records: z.array(z.object({ id: z.string(), info: z.unknown().optional() })).optional(),
});

/** A client for anycable-go's presence endpoint. */
export class PresenceApi {
  readonly #base: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;

  constructor(options: PresenceApiOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.#headers = options.secret ? { authorization: `Bearer ${options.secret}` } : {};
    this.#timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Who is in `stream`'s presence set right now. */
  async info(stream: string): Promise<PresenceInfo> {
    // anycable-go matches the decoded path segment, so a "/" in a name cannot be addressed, and
    // URL parsing would turn a "." or ".." segment into another path.
    if (typeof stream !== "string" || stream === "" || stream === "." || stream === ".." || stream.includes("/")) {
      throw new TypeError("A presence stream name must be non-empty, not '.' or '..', and without '/'");
    }
    let response: Response;
    try {
      response = await fetch(`${this.#base}/presence/${encodeURIComponent(stream)}/users`, {
        headers: this.#headers,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new PresenceApiError(`anycable-go API unreachable: ${error instanceof Error ? error.message : String(error)}`, 0);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      const why =
        response.status === 401
          ? "unauthorised (check ANYCABLE_API_SECRET / ANYCABLE_SECRET)"
          : response.status === 501
            ? "presence needs anycable-go 1.6 with a broker (--presets=broker)"
            : `HTTP ${response.status}`;
      throw new PresenceApiError(`anycable-go presence API: ${why}`, response.status);
    }
    const parsed = infoSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) throw new PresenceApiError("anycable-go presence API answered with an unexpected body", response.status);
    return { total: parsed.data.total, records: (parsed.data.records ?? []).map((r) => ({ id: r.id, info: r.info })) };
  }
}
