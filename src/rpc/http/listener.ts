import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { RpcHandler } from "../handler.js";
import type { CallMetadata } from "../messages.js";
import { decodeRequest, encodeResponse, HTTP_RPC_METHODS, isHttpRpcMethod, type DecodedRequest } from "./json-messages.js";
import { bearerCheck } from "./secret.js";
import { requestPath } from "./request-path.js";

/** A plain node:http request listener: what `http.createServer`, Express, Fastify's raw routes and friends accept. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpRpcListenerOptions {
  handler: RpcHandler;
  logger: Logger;
  /** The bearer secret anycable-go sends; undefined accepts requests without Authorization. */
  secret: string | undefined;
  /** Largest request body in bytes; a bigger one is refused with 413. */
  maxBodySize: number;
  /** Most env map entries and subscriptions a request may carry; more are refused with 413. */
  maxRequestEntries?: number | undefined;
  /**
   * When set, only `<mountPath>/connect|command|disconnect` are served. Unset, any path ending in
   * one of those is, which is what a handler mounted under a prefix by a router (Express's
   * `app.use("/_anycable", …)` strips it from req.url) needs.
   */
  mountPath?: string | undefined;
  /** Told when each RPC request starts and ends, for draining. */
  onRequest?: (event: "start" | "end") => void;
}

/** The headers anycable-go turns its gRPC-style metadata into: `x-anycable-meta-<key>`. */
const SID_HEADER = "x-anycable-meta-sid";
const PROTOV_HEADER = "x-anycable-meta-protov";

/**
 * AnyCable RPC over HTTP as anycable-go calls it (`--rpc_host=http://…/_anycable`): a JSON POST
 * to `<base>/connect`, `/command` or `/disconnect` with `Authorization: Bearer <secret>`, the
 * session id and protocol version in `x-anycable-meta-*` headers, answered 200 with the response
 * message as JSON. Refusals use the statuses anycable-go maps to gRPC codes: 401 becomes
 * Unauthenticated, 400 and 422 InvalidArgument (with our reason in its log), anything else Unknown.
 * The same RpcHandler serves gRPC, so statuses, errors and state semantics are the same.
 */
export function createHttpRpcListener(options: HttpRpcListenerOptions): NodeRequestListener {
  const { handler, logger, maxBodySize, mountPath, onRequest } = options;
  const authorized = options.secret === undefined ? () => true : bearerCheck(options.secret);

  return (req, res) => {
    const method = routeOf(req.url ?? "/", mountPath);
    if (method === undefined) return refuse(res, 404, "Not found");
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      return refuse(res, 405, `${HTTP_RPC_METHODS[method].name} takes POST`);
    }
    // Checked before the body is read: an unauthenticated client costs us no buffering.
    if (!authorized(req.headers.authorization)) {
      logger.warn({ path: req.url, remote: req.socket.remoteAddress }, "HTTP RPC request refused: missing or wrong bearer secret");
      res.setHeader("WWW-Authenticate", 'Bearer realm="anycable-rpc"');
      return refuse(res, 401, "Unauthorized");
    }
    // A JSON content type keeps browsers from posting here cross-site without a CORS preflight,
    // which matters when no secret is set (a developer's loopback server).
    if (!isJson(req.headers["content-type"])) return refuse(res, 415, "Expected Content-Type: application/json");
    const declared = Number(req.headers["content-length"]);
    if (declared > maxBodySize) return tooLarge(res, maxBodySize);

    onRequest?.("start");
    readBody(req, maxBodySize).then(
      async (body) => {
        try {
          if (body === undefined) return tooLarge(res, maxBodySize);
          const decoded = decodeRequest(method, body, options.maxRequestEntries);
          if (!decoded.ok) {
            logger.warn({ path: req.url, status: decoded.status }, decoded.error);
            return reply(res, decoded.status, decoded.error);
          }
          const response = await call(handler, decoded.decoded, metadataOf(req));
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(encodeResponse(response));
        } catch (error) {
          // The handler turns application errors into responses; reaching here is our own bug.
          logger.error({ err: error, path: req.url }, "HTTP RPC handler failed unexpectedly");
          if (res.headersSent) res.destroy();
          else reply(res, 500, `${HTTP_RPC_METHODS[method].name} failed: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          onRequest?.("end");
        }
      },
      (error: unknown) => {
        // The client went away mid-body: nobody is left to answer.
        logger.debug({ err: error, path: req.url }, "HTTP RPC request body not received");
        onRequest?.("end");
        res.destroy();
      },
    );
  };
}

function call(handler: RpcHandler, decoded: DecodedRequest, meta: CallMetadata): Promise<object> {
  switch (decoded.method) {
    case "connect":
      return handler.connect(decoded.request, meta);
    case "command":
      return handler.command(decoded.request, meta);
    case "disconnect":
      return handler.disconnect(decoded.request, meta);
  }
}

function metadataOf(req: IncomingMessage): CallMetadata {
  const sid = req.headers[SID_HEADER];
  const protov = req.headers[PROTOV_HEADER];
  return { sid: typeof sid === "string" ? sid : "", protov: typeof protov === "string" ? protov : undefined };
}

/** The RPC method a path names, or undefined when it names none. */
function routeOf(url: string, mountPath: string | undefined) {
  const path = requestPath(url);
  const slash = path.lastIndexOf("/");
  const name = path.slice(slash + 1);
  if (!isHttpRpcMethod(name)) return undefined;
  if (mountPath !== undefined && path.slice(0, slash) !== mountPath) return undefined;
  return name;
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(";");
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === "application/json";
}

/** The body as text, or undefined once it grows past `limit` (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        // Stop reading; the 413 closes the connection so the rest never has to be drained.
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size).toString("utf8"));
    });
    req.on("error", (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

function tooLarge(res: ServerResponse, limit: number): void {
  refuse(res, 413, `Request body over ${limit} bytes`);
}

/** Answers before (or instead of) reading the body, and closes the connection so its body is never read. */
function refuse(res: ServerResponse, status: number, message: string): void {
  res.setHeader("Connection", "close");
  reply(res, status, message);
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(message);
}
