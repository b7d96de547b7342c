// The coverage floors `npm test` enforces (vitest.config.ts reads them; scripts/test.sh turns
// coverage on for a full run). One entry per folder of src/ and channels/: the lowest line and
// branch percentages CI accepts there. Floors only move up: raise one when a folder's coverage
// rises (the per-folder table `npm test` prints shows where), never lower one to let a change in.
//
// Coverage only sees code that runs inside Vitest's own worker processes: the RPC server, the
// dashboard or the bridge started as child processes by integration and e2e tests (npm start,
// the CLI) count for nothing here, and neither does the dashboard's browser code.
export interface Floor {
  lines: number;
  branches: number;
}

export const coverageFloors: Record<string, Floor> = {
  // What the full run after the merges of 2026-12-02 reached (issues 9, 10, 11, 13, 14, 15 and 12's
  // extension points), rounded down less one point for run-to-run variance (retry and timeout
  // branches only some runs take); a folder at 100 % stays at 100, and no floor is below what it
  // was where the folder still reaches it. "src" and "channels" are the whole trees. The channels/
  // floors follow issue 12's layout: a folder that gained or lost files (cable, calls, config, feed,
  // speech, tools, views) has the floor its new files reached together in that same run, less one
  // point. src/cli, config, jwt, logging, presence, process, streams, testing and src's branches
  // were raised later that day (issue 15) from a run of test/unit alone, which a full run can only
  // exceed: the CLI and runProcess now run in-process on an injected process.
  // channels (as a whole), bridge, limits, media-stream and recordings were raised that day too, from
  // runs of test/unit/channels and test/integration/channels (or a subset), which a full run includes.
  // Raised again from the clean-clone CI run at the end of the afternoon of 2026-12-02 (issue 15's
  // mutation work added tests across src/ and the bridge), by the same rule, except that a folder
  // reaching 100 for the first time gets 99 (one run at 100 is not yet a habit). channels, src,
  // channels/bridge, channels/cable and src/broadcast raised again, same rule, from the clean-clone run
  // of 58f7708 (evening of 2026-12-02: the bridge's unit tests, the broadcast transports' tests).
  // channels/feed lines, src, src/broadcast and src/logging branches raised by the same rule from the
  // clean-clone run of f583ece (3 December: the shutdown order's tests among others).
  channels: { lines: 90, branches: 83 },
  "channels/bridge": { lines: 95, branches: 96 },
  "channels/cable": { lines: 97, branches: 97 },
  "channels/calls": { lines: 97, branches: 83 },
  "channels/config": { lines: 97, branches: 88 },
  "channels/credentials": { lines: 100, branches: 99 },
  "channels/feed": { lines: 94, branches: 87 },
  "channels/limits": { lines: 99, branches: 94 },
  "channels/media-stream": { lines: 99, branches: 97 },
  "channels/recordings": { lines: 100, branches: 100 },
  "channels/speech": { lines: 97, branches: 87 },
  "channels/tools": { lines: 52, branches: 48 },
  "channels/twilio": { lines: 98, branches: 87 },
  "channels/views": { lines: 100, branches: 93 },
  "channels/web": { lines: 92, branches: 86 },
  src: { lines: 98, branches: 97 },
  "src/broadcast": { lines: 98, branches: 98 },
  "src/cable": { lines: 98, branches: 97 },
  "src/cable-ready": { lines: 100, branches: 99 },
  "src/cli": { lines: 97, branches: 88 },
  "src/config": { lines: 99, branches: 97 },
  "src/jwt": { lines: 100, branches: 100 },
  "src/logging": { lines: 100, branches: 99 },
  "src/presence": { lines: 100, branches: 96 },
  "src/process": { lines: 100, branches: 95 },
  "src/rpc": { lines: 98, branches: 95 },
  "src/shared": { lines: 100, branches: 100 },
  "src/streams": { lines: 100, branches: 100 },
  "src/testing": { lines: 97, branches: 96 },
};
