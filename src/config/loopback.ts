/**
 * Whether a `host:port` binding stays on this machine: `localhost`, `::1` (bracketed or not) or any
 * 127.x.y.z address, compared whole and case-insensitively. Anything else (a name such as
 * `127.0.0.1.example.com`, a wildcard, a LAN address) counts as reachable from outside, which is
 * what the RPC server's warnings and refusals about unauthenticated access must assume.
 */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort
    .slice(0, hostPort.lastIndexOf(":"))
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
