// The call monitor dashboard: server-rendered pages kept live by Cable Ready streams.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Broadcaster, Logger } from "anycable-ts";
import { startHttpServer } from "./http-server.js";
import { loadDashboardConfig, type DashboardConfig } from "./dashboard-config.js";
import { loadTwilioAuthToken, loadTwilioRestSetup } from "../config/twilio-rest-config.js";
import { CallFeed } from "../feed/call-feed.js";
import { startLeaseSweeper, type LeaseSweeper } from "../feed/lease-sweeper.js";
import { loadRegistryLimits } from "../calls/registry-config.js";
import type { CallRegistry } from "../calls/call-registry.js";
import type { AttachMediaStreamOptions } from "../twilio/attach-media-stream.js";
import { CallPlacer } from "../twilio/call-placer.js";
import type { TwilioClient } from "../twilio/rest-client.js";
import { loadClientBundle } from "./client-bundle.js";
import type { DashboardDeps } from "./dashboard-deps.js";
import { discardingBroadcaster } from "./discarding-broadcaster.js";
import { renderPage } from "./render-page.js";
import { CLIENT_SCRIPT_PATH, clientAssetRoute } from "./routes/client-asset.js";
import { pageRoutes } from "./routes/pages.js";
import { placeCallRoute } from "./routes/place-call.js";
import { twilioStatusRoute } from "./routes/twilio-status.js";
import { securityHeaders } from "./security-headers.js";
import { hostAllowList } from "./access/host-allow-list.js";
import { PasswordCheck } from "./access/password-check.js";
import { RateLimit } from "../limits/rate-limit.js";
import { requireSignIn, SIGN_IN_PATH } from "./access/require-sign-in.js";
import { sameOriginOnly } from "./access/same-origin.js";
import { signInRoutes } from "./routes/sign-in.js";
import { notFoundContent } from "../views/not-found-page.js";

export interface DashboardOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Shared with the RPC application when both run in one process. */
  registry: CallRegistry;
  /**
   * Pushes call progress and Twilio status updates to open pages. Without one they are only
   * recorded, and appear when a page is (re)loaded.
   */
  broadcaster?: Broadcaster;
  /** Test seams: a prepared Twilio client, and faster polling for an answer. */
  twilioClient?: TwilioClient;
  attach?: Pick<AttachMediaStreamOptions, "pollIntervalMs" | "answerTimeoutMs">;
  /** Test seam: how often silent calls are looked for (default: a quarter of CALL_LEASE_SECONDS). */
  sweepIntervalMs?: number;
}

export interface Dashboard {
  readonly app: Hono;
  readonly config: DashboardConfig;
  readonly sweeper: LeaseSweeper;
  /**
   * Stops sweeping and following placed calls, and resolves once their last updates were handed
   * to the broadcaster, so the caller may close it next. Does not close the registry or
   * broadcaster (the caller owns them).
   */
  close(): Promise<void>;
}

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  readonly config: DashboardConfig;
  close(): Promise<void>;
}

/** Builds the dashboard (config, client bundle, routes) without listening. Throws ConfigError on bad settings. */
export async function createDashboard(options: DashboardOptions): Promise<Dashboard> {
  const { env, logger, registry } = options;
  const config = loadDashboardConfig(env);
  const twilio = loadTwilioRestSetup(env);
  const bundle = await loadClientBundle(logger);
  if (!options.broadcaster) logger.info("dashboard: no broadcaster; call progress appears on open pages only after a reload");
  const feed = new CallFeed({ registry, broadcaster: options.broadcaster ?? discardingBroadcaster, logger });
  const { leaseMs } = loadRegistryLimits(env);
  if (twilio.enabled) {
    logger.info({ from: twilio.config.phoneNumber, streamUrl: twilio.config.streamUrl }, "placing calls through Twilio is enabled");
  } else {
    logger.warn({ reasons: twilio.reasons }, "placing calls is disabled; the dashboard still shows live calls");
  }
  const placer = twilio.enabled
    ? new CallPlacer({
        config: twilio.config,
        feed,
        logger,
        // Twilio cannot call back to localhost: only a deliberately set PUBLIC_URL is given to it.
        statusCallbackUrl: config.publicUrlIsExplicit ? `${config.publicUrl}/twilio/status` : undefined,
        ...(options.attach ? { attach: options.attach } : {}),
        ...(options.twilioClient ? { client: options.twilioClient } : {}),
      })
    : undefined;
  const deps: DashboardDeps = {
    config,
    logger,
    registry,
    feed,
    twilio,
    placer,
    authToken: loadTwilioAuthToken(env),
    passwords: config.access.password === undefined ? undefined : new PasswordCheck(config.access.password),
    callRate: new RateLimit(config.callsPerMinute),
    scriptUrl: `${CLIENT_SCRIPT_PATH}?v=${bundle.version}`,
  };

  const app = new Hono();
  app.use("*", securityHeaders(config.cableUrl));
  // The forms and Twilio's webhooks are a few hundred bytes; nothing here needs more.
  app.use("*", bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("Request body too large", 413) }));
  app.get("/health", (c) => c.json({ status: "ok" }));
  // Access rules, in order: a name we are known by; a browser's POST from our own origin (Twilio's
  // webhooks carry no Origin); a signed-in user for anything showing calls or costing money. The
  // status webhook proves itself with Twilio's signature, the script bundle holds no secret.
  app.use("*", hostAllowList(config.access.allowedHosts, logger, ["/health"]));
  app.on(["POST", "PUT", "PATCH", "DELETE"], "*", sameOriginOnly(config.access, logger));
  const open = new Set([SIGN_IN_PATH, "/sign-out", "/twilio/status", CLIENT_SCRIPT_PATH]);
  app.use(
    "*",
    requireSignIn(config.access, deps.passwords, logger, (path) => open.has(path)),
  );
  if (config.access.password === undefined)
    logger.info({ url: config.publicUrl }, "dashboard: no DASHBOARD_PASSWORD, reachable from this machine only");
  clientAssetRoute(app, bundle);
  signInRoutes(app, deps);
  pageRoutes(app, deps);
  placeCallRoute(app, deps);
  twilioStatusRoute(app, deps);
  app.notFound((c) =>
    renderPage(c, deps, { title: "Not found · Call monitor", content: notFoundContent("There is no page here."), status: 404 }),
  );
  app.onError((error, c) => {
    // Deliberate refusals (e.g. hono/csrf's 403) keep their status.
    if (error instanceof HTTPException) return error.getResponse();
    logger.error({ err: error, path: c.req.path }, "dashboard request failed");
    return c.text("Something went wrong on our side; the details are in the server log.", 500);
  });

  // Pages are where a dead call would linger, so the dashboard ends calls whose lease ran out.
  const sweeper = startLeaseSweeper({ feed, leaseMs, logger, ...(options.sweepIntervalMs ? { intervalMs: options.sweepIntervalMs } : {}) });

  return {
    app,
    config,
    sweeper,
    close: async () => {
      await sweeper.stop();
      await placer?.close();
      // Their last updates (a call the sweep just ended, say) leave with the feed's end-of-turn
      // batch, after the work that made them settled: a broadcaster closed before that refuses them.
      await feed.broadcastsHandedOver();
    },
  };
}

/** Builds the dashboard and serves it on config.host:config.port (PORT=0 picks a free port). */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const dashboard = await createDashboard(options);
  const server = await startHttpServer({ fetch: dashboard.app.fetch, host: dashboard.config.host, port: dashboard.config.port });
  options.logger.info({ url: server.url, cableUrl: dashboard.config.cableUrl }, "dashboard listening");
  return {
    url: server.url,
    port: server.port,
    config: dashboard.config,
    close: async () => {
      await server.close();
      await dashboard.close();
    },
  };
}
