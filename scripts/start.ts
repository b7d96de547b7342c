// `npm start`: the whole stack on one machine with development defaults — anycable-go with its
// embedded NATS, the RPC server, the dashboard (in this process, sharing one call registry) and
// the Twilio media-stream bridge (also in this process, an Action Cable client of anycable-go).
// Everything can be overridden with the usual variables; Ctrl-C stops it all cleanly.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { createConnection } from "node:net";
import {
  ConfigError,
  createBroadcaster,
  createLogger,
  loadBroadcastConfig,
  loadCableReadyConfig,
  runProcess,
  startRpcServer,
  type Logger,
} from "anycable-ts";
import { createCallMonitorApplication, createCallRegistry } from "../channels/app.js";
import { loadBridgeConfig } from "../channels/bridge/bridge-config.js";
import { startMediaStreamBridge } from "../channels/bridge/bridge-server.js";
import {
  DEV_ACCOUNT_SID,
  DEV_AUTH_TOKEN,
  DEV_BRIDGE_HOST,
  DEV_BRIDGE_SECRET,
  DEV_STREAM_URL,
} from "../channels/config/development-defaults.js";
import { CALL_MONITOR_HEADERS } from "../channels/cable/protocol.js";
import { createRecognizer } from "../channels/speech/create-recognizer.js";
import { startDashboard } from "../channels/web/server.js";

const DEV_SECRET = "development-only-cable-ready-secret";

/** Development defaults for whatever the environment leaves unset. */
function developmentEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  env.ANYCABLE_RPC_HOST ||= "127.0.0.1:50051";
  env.ANYCABLE_HOST ||= "localhost";
  env.ANYCABLE_PORT ||= "8080";
  env.PORT ||= "3000";
  env.ANYCABLE_ENATS_ADDR ||= "nats://127.0.0.1:4222";
  env.ANYCABLE_BROADCAST_ADAPTER ||= "nats";
  if (env.ANYCABLE_BROADCAST_ADAPTER === "nats") env.ANYCABLE_NATS_SERVERS ||= env.ANYCABLE_ENATS_ADDR;
  if (!env.ANYCABLE_CABLE_READY_SECRET && !env.ANYCABLE_STREAMS_SECRET && !env.ANYCABLE_SECRET)
    env.ANYCABLE_CABLE_READY_SECRET = DEV_SECRET;
  env.TWILIO_ACCOUNT_SID ||= DEV_ACCOUNT_SID;
  env.CABLE_URL ||= `ws://${env.ANYCABLE_HOST}:${env.ANYCABLE_PORT}/cable`;
  env.TWILIO_BRIDGE_HOST ||= DEV_BRIDGE_HOST;
  env.TWILIO_STREAM_URL ||= DEV_STREAM_URL;
  env.TWILIO_AUTH_TOKEN ||= DEV_AUTH_TOKEN;
  if (!env.TWILIO_BRIDGE_SECRET && !env.ANYCABLE_SECRET) env.TWILIO_BRIDGE_SECRET = DEV_BRIDGE_SECRET;
  return env;
}

/**
 * Hosts whose pages may open a WebSocket (anycable-go compares the Origin's host[:port]): the
 * dashboard's, and the cable's own, which server-side clients (the simulator, the bridge) present
 * as their Origin. anycable-go refuses an upgrade without Origin once this list is set.
 */
function allowedOrigins(env: NodeJS.ProcessEnv): string {
  if (env.ANYCABLE_ALLOWED_ORIGINS?.trim()) return env.ANYCABLE_ALLOWED_ORIGINS.trim();
  const dashboard = env.PUBLIC_URL?.trim()
    ? [new URL(env.PUBLIC_URL.trim()).host]
    : ["localhost", "127.0.0.1", "[::1]"].map((name) => `${name}:${env.PORT}`);
  const cable = new URL(env.CABLE_URL ?? `ws://${env.ANYCABLE_HOST}:${env.ANYCABLE_PORT}/cable`).host;
  return [...new Set([...dashboard, cable].map((host) => host.toLowerCase()))].join(",");
}

/** anycable-go's flags for the same settings the RPC side reads, so both agree. */
function anycableArgs(env: NodeJS.ProcessEnv, secret: string): string[] {
  const adapter = env.ANYCABLE_BROADCAST_ADAPTER ?? "nats";
  const args = [
    `--host=${env.ANYCABLE_HOST}`,
    `--port=${env.ANYCABLE_PORT}`,
    `--allowed_origins=${allowedOrigins(env)}`,
    `--rpc_host=${env.ANYCABLE_RPC_HOST}`,
    `--headers=${CALL_MONITOR_HEADERS.join(",")}`,
    "--cable_ready",
    `--cable_ready_secret=${secret}`,
    `--broadcast_adapter=${adapter}`,
  ];
  if (adapter === "nats" && env.ANYCABLE_NATS_SERVERS === env.ANYCABLE_ENATS_ADDR) {
    args.push("--embed_nats", `--enats_addr=${env.ANYCABLE_ENATS_ADDR}`);
  }
  if (adapter === "nats") args.push(`--nats_servers=${env.ANYCABLE_NATS_SERVERS}`);
  if (adapter === "redis" || adapter === "redisx")
    args.push(`--redis_url=${env.ANYCABLE_REDIS_URL ?? env.REDIS_URL ?? "redis://localhost:6379"}`);
  return args;
}

function portInUse(hostPort: string): Promise<boolean> {
  const at = hostPort.lastIndexOf(":");
  const host = hostPort.slice(0, at).replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = Number(hostPort.slice(at + 1));
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(500);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

function anycableBinary(): string {
  return execFileSync("bash", ["scripts/anycable-go.sh", "--print-path"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

function startAnycable(binary: string, args: string[], env: NodeJS.ProcessEnv, logger: Logger): ChildProcess {
  const child = spawn(binary, args, {
    env: {
      PATH: env.PATH,
      HOME: env.HOME,
      ANYCABLE_DISABLE_TELEMETRY: "true",
      ...(env.ANYCABLE_DEBUG ? { ANYCABLE_DEBUG: env.ANYCABLE_DEBUG } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => logger.info(line));
  }
  return child;
}

/**
 * Resolves once every line the child wrote has been read: Node emits 'exit' as soon as the
 * process ends, and 'close' only after its pipes are drained, and the last lines say why it died.
 */
function outputRead(child: ChildProcess): Promise<void> {
  if ([child.stdout, child.stderr].every((stream) => stream === null || stream.destroyed)) return Promise.resolve();
  return new Promise((resolve) => child.once("close", () => resolve()));
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await outputRead(child);
      throw new Error(`anycable-go exited with code ${child.exitCode} (see its log lines above)`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`anycable-go did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** What the person who typed `npm start` needs to know: where things are, how to place a call. Not a log line. */
function printBanner(env: NodeJS.ProcessEnv, secret: string, urls: { dashboard: string; bridge: string; speech: string }): void {
  // The simulator reads the same variables with the same defaults; only overrides need repeating.
  const simulatorEnv = (["TWILIO_ACCOUNT_SID", "TWILIO_BRIDGE_HOST", "TWILIO_STREAM_URL"] as const)
    .filter((name) => env[name] !== developmentEnv({})[name])
    .map((name) => `${name}=${env[name]} `)
    .join("");
  const secrets =
    env.TWILIO_AUTH_TOKEN !== DEV_AUTH_TOKEN || env.TWILIO_BRIDGE_SECRET !== DEV_BRIDGE_SECRET
      ? " (with your TWILIO_AUTH_TOKEN and bridge secret set)"
      : "";
  const simulate = `${simulatorEnv}npm run simulate`;
  process.stdout.write(
    [
      "",
      `  Dashboard      ${urls.dashboard}`,
      `  WebSocket      ${env.CABLE_URL}   (anycable-go, embedded NATS: ${anycableArgs(env, secret).includes("--embed_nats") ? "yes" : "no"})`,
      `  RPC            ${env.ANYCABLE_RPC_HOST}`,
      `  Media streams  ${urls.bridge}   (Twilio connects to ${env.TWILIO_STREAM_URL}; speech: ${urls.speech})`,
      "",
      `  Simulate a call${secrets}:   ${simulate}`,
      `  Play another recording:   ${simulate} -- --recording call-back   (--help lists them)`,
      "",
      "  Ctrl-C stops everything.",
      "",
    ].join("\n") + "\n",
  );
}

await runProcess({
  name: "start",
  env: developmentEnv(process.env),
  // A broker's reconnect timer may linger after the drain; it must not hold the exit.
  exitDelayMs: 200,
  async start({ env, logger, requestStop }) {
    const secret = loadCableReadyConfig(env).secret;
    if (!secret) throw new Error("unreachable: a development secret is always set");
    if (secret === DEV_SECRET)
      logger.warn("using the development Cable Ready secret; set ANYCABLE_CABLE_READY_SECRET for anything but local development");

    for (const [what, address] of [
      ["RPC server (ANYCABLE_RPC_HOST)", env.ANYCABLE_RPC_HOST],
      ["anycable-go (ANYCABLE_PORT)", `127.0.0.1:${env.ANYCABLE_PORT}`],
      ["dashboard (PORT)", `127.0.0.1:${env.PORT}`],
      ["media-stream bridge (TWILIO_BRIDGE_HOST)", env.TWILIO_BRIDGE_HOST],
    ] as const) {
      // A setting to change, not a crash: runProcess prints it as a plain message (exit 1).
      if (address && (await portInUse(address)))
        throw new ConfigError(`Cannot start: ${address} is already in use, needed by the ${what}. Stop what uses it or set the variable.`);
    }

    const rpcLogger = createLogger({ name: "rpc" }, env);
    const webLogger = createLogger({ name: "web" }, env);
    const anycableLogger = createLogger({ name: "anycable-go" }, env);
    const bridgeLogger = createLogger({ name: "bridge" }, env);
    for (const [name, value] of [
      ["TWILIO_AUTH_TOKEN", DEV_AUTH_TOKEN],
      ["TWILIO_BRIDGE_SECRET", DEV_BRIDGE_SECRET],
    ] as const) {
      if (env[name] === value) logger.warn(`using the development ${name}; set it for anything but local development`);
    }
    // Bad bridge or recognizer settings stop here, before anything is started.
    const bridgeConfig = loadBridgeConfig(env);
    const recognizer = createRecognizer(env, bridgeLogger);

    // anycable-go first: with embedded NATS it is the broker the RPC side publishes to.
    const anycable = startAnycable(anycableBinary(), anycableArgs(env, secret), env, anycableLogger);
    const stopAnycable = async (): Promise<void> => {
      if (anycable.exitCode !== null || anycable.signalCode !== null) return;
      anycable.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (anycable.kill("SIGKILL"), resolve()), 10_000);
        anycable.once("exit", () => (clearTimeout(timer), resolve()));
      });
    };
    let stopping = false;
    anycable.once("exit", (code) => {
      if (stopping) return;
      // After its last lines, which say why.
      void outputRead(anycable).then(() => {
        logger.error({ code }, "anycable-go stopped unexpectedly");
        requestStop(1);
      });
    });

    // What has started so far, stopped in reverse if a later part cannot start.
    const started: Array<() => Promise<unknown>> = [stopAnycable, () => recognizer.close()];
    const undoStart = async (): Promise<void> => {
      stopping = true;
      for (const stop of started.reverse()) await stop().catch(() => undefined);
    };
    try {
      await waitForHealth(`http://127.0.0.1:${env.ANYCABLE_PORT}/health`, anycable);
      const broadcaster = createBroadcaster(loadBroadcastConfig(env), rpcLogger);
      const registry = createCallRegistry(env, rpcLogger);
      started.push(() => registry.close());
      const app = createCallMonitorApplication({ env, logger: rpcLogger, registry });
      const rpc = await startRpcServer({ app, broadcaster, logger: rpcLogger, env });
      started.push(() => rpc.stop());
      const web = await startDashboard({ env, logger: webLogger, registry, broadcaster });
      started.push(() => web.close());
      const bridge = await startMediaStreamBridge({ config: bridgeConfig, recognizer, logger: bridgeLogger });
      printBanner(env, secret, { dashboard: web.url, bridge: bridge.url, speech: recognizer.name });
      return {
        async stop() {
          stopping = true;
          logger.info("stopping: media-stream bridge, dashboard, anycable-go, RPC server");
          // Open calls first: their last results and Disconnect still need anycable-go and RPC.
          await bridge.close();
          await recognizer.close();
          await web.close();
          // Sockets close first so their Disconnect calls reach a still-running RPC server.
          await stopAnycable();
          await rpc.stop();
          await registry.close();
        },
        forceStop() {
          anycable.kill("SIGKILL");
        },
      };
    } catch (error) {
      await undoStart();
      throw error;
    }
  },
});
