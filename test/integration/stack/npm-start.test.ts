// `npm start` brings the whole stack up (anycable-go with embedded NATS, RPC, dashboard, the
// media-stream bridge), a simulated call played to the bridge shows up on the dashboard, and
// Ctrl-C stops everything with exit code 0.
import { createServer, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, UpgradeRejectedError, freePort, openRawSocket, nodeChildEnv, spawnProcess, waitFor } from "../../support/index.js";

// Straight under node with tsx's loader, as the npm scripts run it: the tsx CLI wrapper turns a
// SIGTERM the child is slow to acknowledge into SIGKILL, which would skip the drain under load.
const NODE = process.execPath;
const TS = ["--import", "tsx"];

/** npm start's environment with every port it listens on free (the embedded NATS one may be given). */
async function stackOnFreePorts(natsPort?: number) {
  const [anycable, web, rpc, nats, bridge] = await Promise.all([freePort(), freePort(), freePort(), natsPort ?? freePort(), freePort()]);
  const env = nodeChildEnv({
    ANYCABLE_HOST: "127.0.0.1",
    ANYCABLE_PORT: String(anycable),
    PORT: String(web),
    ANYCABLE_RPC_HOST: `127.0.0.1:${rpc}`,
    ANYCABLE_ENATS_ADDR: `nats://127.0.0.1:${nats}`,
    TWILIO_BRIDGE_HOST: `127.0.0.1:${bridge}`,
  });
  return { env, ports: { anycable, web, bridge } };
}

describe("npm start", () => {
  it("runs the stack, serves a simulated call and stops cleanly on SIGINT", { timeout: 90_000 }, async () => {
    const { env, ports } = await stackOnFreePorts();
    const { anycable: anycablePort, web: webPort, bridge: bridgePort } = ports;
    const stack = await spawnProcess({ name: "npm start", command: NODE, args: [...TS, "scripts/start.ts"], cwd: REPO_ROOT, env });
    try {
      await stack.waitForOutput(/Ctrl-C stops everything/, 60_000);
      expect(stack.logs()).toContain(`Dashboard      http://127.0.0.1:${webPort}`);
      expect(stack.logs()).toMatch(/embedded NATS: yes/);
      expect(stack.logs()).toContain(`Media streams  ws://127.0.0.1:${bridgePort}/`);

      // anycable-go runs with --allowed_origins: the dashboard's pages may connect, others may not.
      const cable = `ws://127.0.0.1:${anycablePort}/cable`;
      const page = await openRawSocket(cable, { origin: `http://localhost:${webPort}` });
      expect(await page.waitForType("welcome")).toMatchObject({ type: "welcome" });
      await page.close();
      await expect(openRawSocket(cable, { origin: "https://evil.example" })).rejects.toBeInstanceOf(UpgradeRejectedError);

      const sid = `CA${"5".repeat(32)}`;
      const simulator = await spawnProcess({
        name: "simulate",
        command: NODE,
        // npm start's development auth token and bridge secret are the simulator's defaults too.
        args: [...TS, "channels/tools/simulator/cli.ts", "--url", `ws://127.0.0.1:${bridgePort}/`, "--sid", sid, "--speed", "10"],
        cwd: REPO_ROOT,
        env: nodeChildEnv(),
      });
      expect(await simulator.exited).toEqual({ code: 0, signal: null });

      const callPage = await waitFor(
        async () => {
          const html = await (await fetch(`http://127.0.0.1:${webPort}/calls/${sid}`)).text();
          return /Call stopped/.test(html) ? html : undefined;
        },
        { timeoutMs: 10_000, description: "the call's events on its dashboard page" },
      );
      expect(callPage).toMatch(/Call started/);
      expect(callPage).toContain("cable-ready-stream-from");

      stack.signal("SIGINT");
      expect(await stack.exited).toEqual({ code: 0, signal: null });
      expect(stack.logs()).toMatch(/RPC server stopped/);
    } finally {
      await stack.stop();
    }
  });

  it("says why anycable-go could not start, in its own words, and exits 1", { timeout: 60_000 }, async () => {
    // The embedded NATS port is taken: anycable-go gives up after its 5 s wait, writing why to stderr as it exits.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { env } = await stackOnFreePorts((taken.address() as AddressInfo).port);
    const stack = await spawnProcess({ name: "npm start", command: NODE, args: [...TS, "scripts/start.ts"], cwd: REPO_ROOT, env });
    try {
      expect((await stack.exited).code).toBe(1);
      const lines = stack
        .logs()
        .split("\n")
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as { time: number; name: string; msg: string }];
          } catch {
            return [];
          }
        });
      const reason = lines.find((line) => line.name === "anycable-go" && line.msg.startsWith("failed to start embedded NATS server"));
      const verdict = lines.find((line) => /^(cannot start: )?anycable-go (exited with code 1|stopped unexpectedly)/.test(line.msg));
      expect(reason, stack.logs()).toBeDefined();
      expect(verdict, stack.logs()).toBeDefined();
      // Its words were read, and are printed, before our verdict on them (the stack's loggers share one output).
      expect(reason!.time).toBeLessThanOrEqual(verdict!.time);
      expect(lines.indexOf(reason!)).toBeLessThan(lines.indexOf(verdict!));
    } finally {
      await stack.stop();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
