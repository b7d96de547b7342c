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
  // What a full run reached on 2026-12-02 (main + issue 11's HTTP RPC), rounded down. "src" and
  // "channels" are the whole trees; src/cli and src/process run only in child processes.
  channels: { lines: 64, branches: 56 },
  "channels/bridge": { lines: 86, branches: 75 },
  "channels/channel": { lines: 100, branches: 91 },
  "channels/config": { lines: 97, branches: 92 },
  "channels/credentials": { lines: 100, branches: 97 },
  "channels/connection": { lines: 95, branches: 100 },
  "channels/feed": { lines: 95, branches: 100 },
  "channels/media-stream": { lines: 42, branches: 5 },
  "channels/registry": { lines: 98, branches: 79 },
  "channels/simulator": { lines: 39, branches: 41 },
  "channels/speech": { lines: 100, branches: 100 },
  "channels/twilio": { lines: 98, branches: 83 },
  "channels/views": { lines: 100, branches: 100 },
  "channels/web": { lines: 72, branches: 72 },
  src: { lines: 92, branches: 83 },
  "src/broadcast": { lines: 95, branches: 81 },
  "src/cable": { lines: 95, branches: 84 },
  "src/cable-ready": { lines: 100, branches: 98 },
  "src/cli": { lines: 0, branches: 0 },
  "src/config": { lines: 93, branches: 98 },
  "src/jwt": { lines: 96, branches: 93 },
  "src/logging": { lines: 18, branches: 0 },
  "src/presence": { lines: 88, branches: 75 },
  "src/process": { lines: 0, branches: 0 },
  "src/rpc": { lines: 95, branches: 82 },
  "src/streams": { lines: 97, branches: 95 },
  "src/web": { lines: 100, branches: 75 },
};
