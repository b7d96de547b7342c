#!/usr/bin/env node
// The `anycable-ts` command: serves an application module over AnyCable RPC, probes a running
// server's health, prints the version. Configured by the ANYCABLE_* variables anycable-go uses.
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2));
