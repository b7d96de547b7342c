#!/usr/bin/env node
// The `anycable-ts` command: serves an application module over AnyCable RPC, probes a running
// server's health, prints the version. Configured by the ANYCABLE_* variables anycable-go uses.
import { parseArgs } from "node:util";
import { healthCheck } from "./health-check.js";
import { packageVersion } from "./package-version.js";
import { serve } from "./serve.js";

const USAGE = `Usage:
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

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "v" } },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (values.version) return void process.stdout.write(`${packageVersion()}\n`);
  const [first, ...rest] = positionals;
  if (first === "health-check") {
    process.exitCode = await healthCheck(process.env);
    return;
  }
  const modulePath = (first === "serve" ? rest[0] : first) ?? process.env.ANYCABLE_APP;
  if (!modulePath || rest.length > (first === "serve" ? 1 : 0)) {
    process.stderr.write(`${modulePath ? "Too many arguments" : "Missing the application module"}.\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  await serve(modulePath, process.env);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  // parseArgs refuses unknown options with a message meant for the user.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\nRun anycable-ts --help for usage.\n`);
  process.exitCode = 2;
}
