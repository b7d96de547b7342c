import type { BroadcastMeta, Publication, RemoteCommand } from "./broadcaster.js";

/**
 * What a queued message is about, for log lines and errors: payloads can be large or private,
 * so logs name the stream(s) or the command instead.
 */
export type PayloadSubject =
  | { kind: "publication"; stream: string }
  | { kind: "batch"; streams: string[]; size: number }
  | { kind: "command"; command: string; identifier: string };

export interface EncodedPayload {
  /** Exactly the bytes anycable-go receives. */
  json: string;
  about: PayloadSubject;
}

function checkStream(stream: unknown): string {
  if (typeof stream !== "string" || stream === "") throw new TypeError("broadcast stream must be a non-empty string");
  return stream;
}

/** `data` objects are JSON-encoded: anycable-go only accepts a string and parses it for clients. */
export function dataString(data: string | object): string {
  if (typeof data === "string") return data;
  const json: unknown = JSON.stringify(data);
  if (typeof json !== "string") throw new TypeError("broadcast data must be a string or a JSON-serialisable object");
  return json;
}

function wirePublication(p: Publication): Publication {
  const stream = checkStream(p.stream);
  if (typeof p.data !== "string") throw new TypeError(`publication data for stream "${stream}" must be a string`);
  // Key order stream, data, meta matches what the AnyCable libraries send.
  return p.meta === undefined ? { stream, data: p.data } : { stream, data: p.data, meta: p.meta };
}

export function encodePublication(stream: string, data: string | object, meta?: BroadcastMeta): EncodedPayload {
  const publication = wirePublication({ stream: checkStream(stream), data: dataString(data), ...(meta === undefined ? {} : { meta }) });
  return { json: JSON.stringify(publication), about: { kind: "publication", stream: publication.stream } };
}

/** One JSON array, one broker message: anycable-go >= 1.4.5 fans it out as a batch. */
export function encodeBatch(publications: readonly Publication[]): EncodedPayload {
  if (publications.length === 0) throw new RangeError("a broadcast batch needs at least one publication");
  const wire = publications.map(wirePublication);
  // A one-publication batch (what CableReady sends for one stream) needs no de-duplication.
  const streams = wire.length === 1 ? [(wire[0] as Publication).stream] : [...new Set(wire.map((p) => p.stream))];
  return { json: JSON.stringify(wire), about: { kind: "batch", streams, size: wire.length } };
}

export function encodeCommand(command: RemoteCommand): EncodedPayload {
  if (command.command !== "disconnect") throw new TypeError(`unknown remote command ${JSON.stringify(command.command)}`);
  const { identifier, reconnect } = command.payload;
  if (typeof identifier !== "string" || identifier === "")
    throw new TypeError("disconnect command needs the connection identifiers string");
  if (typeof reconnect !== "boolean") throw new TypeError("disconnect command needs reconnect: true or false");
  return {
    json: JSON.stringify({ command: "disconnect", payload: { identifier, reconnect } }),
    about: { kind: "command", command: "disconnect", identifier },
  };
}

/** Log fields for a payload: a few stream names, never the data. */
export function describeSubject(about: PayloadSubject): Record<string, unknown> {
  switch (about.kind) {
    case "publication":
      return { stream: about.stream };
    case "batch":
      return { streams: about.streams.slice(0, 5), batchSize: about.size };
    case "command":
      return { command: about.command, identifier: about.identifier };
  }
}
