import { createHmac } from "node:crypto";
import { z } from "zod";
import { configErrorFrom } from "../config/errors.js";
import { envPositiveInt, nonEmpty } from "../config/env.js";

export const BROADCAST_ADAPTERS = ["nats", "redis", "redisx", "http"] as const;
export type BroadcastAdapterName = (typeof BROADCAST_ADAPTERS)[number];

/** The phrase anycable-go (broadcast/http.go) and the Ruby gem sign to derive the broadcast key. */
const BROADCAST_KEY_PHRASE = "broadcast-cable";

/**
 * Without a key anycable-go serves HTTP broadcasts on a separate port (8090) so an open
 * endpoint is not exposed on the public one; with a key it serves them on the main port
 * (8080 by default). The Ruby gem picks its default URL the same way; so do we.
 */
export const DEFAULT_HTTP_BROADCAST_URL = "http://localhost:8090/_broadcast";
export const DEFAULT_HTTP_BROADCAST_URL_WITH_KEY = "http://localhost:8080/_broadcast";

const adapter = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z.enum(BROADCAST_ADAPTERS, {
      error: (issue) => `unknown broadcast adapter ${JSON.stringify(issue.input)}; expected one of ${BROADCAST_ADAPTERS.join(", ")}`,
    }),
  );

function urlWithProtocols(protocols: readonly string[], example: string) {
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

// nats.js accepts both nats://host:port and a bare host:port for every server in the list.
const natsServer = z
  .string()
  .trim()
  .refine((v) => /^((nats|tls|ws|wss):\/\/)?[^\s,/]+(:\d{1,5})?\/?$/.test(v), {
    message: "expected a comma-separated list of NATS servers, e.g. nats://127.0.0.1:4222",
  });

const natsServers = z
  .string()
  .transform((raw) =>
    raw
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  )
  .pipe(z.array(natsServer).min(1, "expected at least one NATS server"));

const subjectOrKey = z
  .string()
  .trim()
  .refine((v) => !/\s/.test(v), { message: "must not contain whitespace" });

const schema = z.object({
  ANYCABLE_BROADCAST_ADAPTER: adapter.default("nats"),
  ANYCABLE_NATS_SERVERS: natsServers.default(["nats://127.0.0.1:4222"]),
  ANYCABLE_NATS_CHANNEL: subjectOrKey.default("__anycable__"),
  ANYCABLE_REDIS_URL: urlWithProtocols(["redis:", "rediss:"], "redis://localhost:6379").optional(),
  REDIS_URL: urlWithProtocols(["redis:", "rediss:"], "redis://localhost:6379").optional(),
  ANYCABLE_REDIS_CHANNEL: subjectOrKey.default("__anycable__"),
  ANYCABLE_HTTP_BROADCAST_URL: urlWithProtocols(["http:", "https:"], "http://localhost:8090/_broadcast").optional(),
  ANYCABLE_BROADCAST_KEY: z.string().trim().optional(),
  ANYCABLE_SECRET: z.string().trim().optional(),
  ANYCABLE_BROADCAST_QUEUE_SIZE: envPositiveInt.default(10_000),
  ANYCABLE_BROADCAST_FLUSH_TIMEOUT: envPositiveInt.default(5),
});

export interface BroadcastConfig {
  adapter: BroadcastAdapterName;
  nats: {
    /** Tried in order given to nats.js; `ANYCABLE_NATS_SERVERS`. */
    servers: string[];
    /** Subject anycable-go subscribes to; `ANYCABLE_NATS_CHANNEL`. */
    subject: string;
  };
  redis: {
    url: string;
    /**
     * Pub/Sub channel for `redis`, stream key for `redisx` (`ANYCABLE_REDIS_CHANNEL`, as in the Ruby
     * gem). anycable-go 1.5/1.6 reads the redisx stream only from its TOML
     * (`[redis_stream_broadcast] stream`), default `__anycable__`; `--redis_channel` does not change it.
     */
    channel: string;
  };
  http: {
    url: string;
    /** Whether `url` came from the built-in default rather than `ANYCABLE_HTTP_BROADCAST_URL`. */
    urlIsDefault: boolean;
    /** Sent as `Authorization: Bearer <key>`; undefined sends no header. */
    key: string | undefined;
    keySource: "ANYCABLE_BROADCAST_KEY" | "ANYCABLE_SECRET" | "none";
    /** One request's deadline; a timed-out request is retried like a connection error. */
    requestTimeoutMs: number;
  };
  /** Most publications held (queued or awaiting the broker's acknowledgement) before publishing rejects. */
  queueSize: number;
  /** How long close() waits for pending publications before rejecting the rest. */
  flushTimeoutMs: number;
  /** Delay between reconnect / retry attempts: doubles from minDelayMs, capped at maxDelayMs. */
  reconnect: { minDelayMs: number; maxDelayMs: number };
}

/** Hex HMAC-SHA256(key = secret, data = "broadcast-cable"), as anycable-go and the Ruby gem derive it. */
export function deriveBroadcastKey(secret: string): string {
  return createHmac("sha256", secret).update(BROADCAST_KEY_PHRASE).digest("hex");
}

export function loadBroadcastConfig(env: NodeJS.ProcessEnv = process.env): BroadcastConfig {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, nonEmpty(env, key)]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) throw configErrorFrom(parsed.error, "broadcasting");
  const c = parsed.data;

  // "none" is anycable-go's spelling for "explicitly no key" (no auth, no derivation).
  let key: string | undefined;
  let keySource: BroadcastConfig["http"]["keySource"] = "none";
  if (c.ANYCABLE_BROADCAST_KEY !== undefined) {
    if (c.ANYCABLE_BROADCAST_KEY !== "none") {
      key = c.ANYCABLE_BROADCAST_KEY;
      keySource = "ANYCABLE_BROADCAST_KEY";
    }
  } else if (c.ANYCABLE_SECRET !== undefined && c.ANYCABLE_SECRET !== "none") {
    key = deriveBroadcastKey(c.ANYCABLE_SECRET);
    keySource = "ANYCABLE_SECRET";
  }

  const httpUrl = c.ANYCABLE_HTTP_BROADCAST_URL ?? (key === undefined ? DEFAULT_HTTP_BROADCAST_URL : DEFAULT_HTTP_BROADCAST_URL_WITH_KEY);

  return {
    adapter: c.ANYCABLE_BROADCAST_ADAPTER,
    nats: { servers: c.ANYCABLE_NATS_SERVERS, subject: c.ANYCABLE_NATS_CHANNEL },
    redis: { url: c.ANYCABLE_REDIS_URL ?? c.REDIS_URL ?? "redis://localhost:6379", channel: c.ANYCABLE_REDIS_CHANNEL },
    http: {
      url: httpUrl,
      urlIsDefault: c.ANYCABLE_HTTP_BROADCAST_URL === undefined,
      key,
      keySource,
      requestTimeoutMs: 5_000,
    },
    queueSize: c.ANYCABLE_BROADCAST_QUEUE_SIZE,
    flushTimeoutMs: c.ANYCABLE_BROADCAST_FLUSH_TIMEOUT * 1000,
    reconnect: { minDelayMs: 100, maxDelayMs: 5_000 },
  };
}
