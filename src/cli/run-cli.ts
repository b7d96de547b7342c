// What the `anycable-ts` command does with its arguments, on a process given to it: main.ts hands
// it the real one; tests hand it their own, so parsing, exit codes and output run in-process.
import { parseArgs } from "node:util";
import type { ProcessHost } from "../process/process-host.js";
import { healthCheck } from "./health-check.js";
import { packageVersion } from "./package-version.js";
import { serve } from "./serve.js";

export const USAGE = `Usage:
  anycable-ts <app-module>      Serve the application the module default-exports over AnyCable RPC
  anycable-ts serve <app-module>  (the same)
  anycable-ts health-check      Exit 0 when the RPC server at ANYCABLE_RPC_HOST reports SERVING, 1 otherwise
  anycable-ts --version         Print the version
  anycable-ts --help            Print this help

The app module default-exports defineApplication({ connection, channels }) or a function
({ env, logger, broadcaster }) returning it, and may export broadcastAdapters, an array of
defineBroadcastAdapter(...) selectable by ANYCABLE_BROADCAST_ADAPTER. A .js module needs nothing
else; a .ts module needs a TypeScript loader, e.g. NODE_OPTIONS="--import tsx" anycable-ts app.ts.

Environment (the names anycable-go and the anycable gem use):
  ANYCABLE_APP                 app module, when not given as the argument
  ANYCABLE_RPC_HOST            gRPC address to bind (default 127.0.0.1:50051), or an http:// URL
                               (e.g. http://127.0.0.1:8080/_anycable) to serve RPC over HTTP
  ANYCABLE_HTTP_RPC_SECRET     HTTP RPC's bearer secret (default: derived from ANYCABLE_SECRET)
  ANYCABLE_BROADCAST_ADAPTER   http | nats | redis | redisx (and its ANYCABLE_HTTP_BROADCAST_URL,
                               ANYCABLE_NATS_SERVERS, ANYCABLE_REDIS_URL, ...), or the name of
                               one of the module's broadcastAdapters
  ANYCABLE_CABLE_READY_SECRET  secret of signed Cable Ready streams (or ANYCABLE_STREAMS_SECRET,
                               ANYCABLE_SECRET)
  ANYCABLE_LOG_LEVEL           fatal | error | warn | info | debug | trace | silent (ANYCABLE_DEBUG=true: debug)
  ANYCABLE_LOG_FORMAT          json | text (text needs pino-pretty installed)
The README lists every variable.`;

/** Exit codes: 0 done, 1 failed (configuration, start-up, unhealthy), 2 wrong usage. */
export async function runCli(argv: readonly string[], host: ProcessHost = process): Promise<number> {
  try {
    return await dispatch(argv, host);
  } catch (error) {
    // parseArgs refuses unknown options with a message meant for the user.
    host.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\nRun anycable-ts --help for usage.\n`);
    return 2;
  }
}

async function dispatch(argv: readonly string[], host: ProcessHost): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
  });
  if (values.help) {
    host.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    host.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const [first, ...rest] = positionals;
  if (first === "health-check") return healthCheck(host.env, host);
  const modulePath = (first === "serve" ? rest[0] : first) ?? host.env.ANYCABLE_APP;
  if (!modulePath || rest.length > (first === "serve" ? 1 : 0)) {
    host.stderr.write(`${modulePath ? "Too many arguments" : "Missing the application module"}.\n\n${USAGE}\n`);
    return 2;
  }
  return serve(modulePath, host);
}
