// `node --import tsx bench/request-bounds.ts`: what a legal but hostile request (4 MiB of tiny
// cstate entries, under the 4 MiB message limit) costs the event loop: decoding it, as a server
// without ANYCABLE_RPC_MAX_REQUEST_ENTRIES does, against counting its fields on the wire and
// refusing it, as ours does. Interleaved rounds in one run; the ratio is what to read.
import { rpcServiceDefinition } from "../src/rpc/grpc/proto.js";
import { requestEntries } from "../src/rpc/grpc/request-bounds.js";

const ROUNDS = 5;
const method = (
  rpcServiceDefinition() as unknown as Record<string, { requestSerialize(v: object): Buffer; requestDeserialize(b: Buffer): unknown }>
).Command!;

const cstate: Record<string, string> = {};
// Each entry is about 20 bytes on the wire; stay under the 4 MiB limit.
for (let i = 0; i < 190_000; i++) cstate[`k${i}`] = "v".repeat(8);
const bytes = method.requestSerialize({
  command: "message",
  identifier: "{}",
  connection_identifiers: "{}",
  data: "{}",
  env: { url: "", headers: {}, cstate },
});

const time = (run: () => unknown): number => {
  const start = performance.now();
  run();
  return performance.now() - start;
};
const decode: number[] = [];
const scan: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  decode.push(time(() => method.requestDeserialize(bytes)));
  scan.push(time(() => requestEntries("Command", bytes)));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
process.stdout.write(
  [
    `request: ${bytes.length} bytes, ${Object.keys(cstate).length} cstate entries (${requestEntries("Command", bytes)} fields)`,
    `decode (no bound), median of ${ROUNDS}: ${median(decode).toFixed(1)} ms`,
    `count and refuse (ANYCABLE_RPC_MAX_REQUEST_ENTRIES), median of ${ROUNDS}: ${median(scan).toFixed(2)} ms`,
    `ratio decode / refuse: ${(median(decode) / median(scan)).toFixed(0)}x`,
    "",
  ].join("\n"),
);
