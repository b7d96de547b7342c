// A tiny authoritative DNS server for one name with several A records. anycable-go 1.5.6 dials RPC
// with grpc.NewClient and the round_robin policy, so `dns://<this server>/<name>:<port>` makes it
// open one HTTP/2 connection per address and spread calls across them (what a Kubernetes headless
// service gives it) without touching /etc/hosts. Used by the scale benchmark and the multi-node test.
import { createSocket, type Socket } from "node:dgram";

const TYPE_A = 1;

export interface DnsServer {
  port: number;
  /** Queries answered so far, by type number. */
  queries: Record<number, number>;
  close(): Promise<void>;
}

export async function startDnsServer(name: string, addresses: readonly string[]): Promise<DnsServer> {
  const wanted = name.toLowerCase().replace(/\.$/, "");
  const socket: Socket = createSocket("udp4");
  const queries: Record<number, number> = {};
  socket.on("message", (query, peer) => {
    const answer = respond(query, wanted, addresses, queries);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  return {
    port: socket.address().port,
    queries,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

function respond(query: Buffer, wanted: string, addresses: readonly string[], queries: Record<number, number>): Buffer | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length) {
    const length = query[offset] as number;
    if (length === 0) break;
    if (length > 63) return undefined;
    labels.push(query.toString("latin1", offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  const questionEnd = offset + 5;
  if (questionEnd > query.length) return undefined;
  const type = query.readUInt16BE(offset + 1);
  queries[type] = (queries[type] ?? 0) + 1;
  const known = labels.join(".").toLowerCase() === wanted;
  const records = known && type === TYPE_A ? addresses : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, opcode 0, AA, RD copied, RA; RCODE 3 (NXDOMAIN) for any other name, 0 otherwise.
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | (known ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // the name, as a pointer to the question's
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4); // IN
    rr.writeUInt32BE(5, 6); // TTL seconds
    rr.writeUInt16BE(4, 10);
    address.split(".").forEach((octet, i) => rr.writeUInt8(Number(octet), 12 + i));
    return rr;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}
