import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "pino";
import { isLoopbackHost } from "../../config/loopback.js";
import type { RpcConfig } from "../../config/rpc-config.js";
import type { RpcHandler } from "../handler.js";
import type { CallMetadata } from "../messages.js";
import { rpcServiceDefinition } from "./proto.js";
import { requestEntries } from "./request-bounds.js";
import { TransportServer } from "../transport-server.js";

export const SERVICE_NAME = "anycable.RPC";

export interface RpcServerOptions {
  handler: RpcHandler;
  config: RpcConfig;
  logger: Logger;
}

/** The grpc-js server options for a config; the benchmark's bare server uses them too. */
export function grpcServerOptions(config: Pick<RpcConfig, "maxMessageSize" | "maxConcurrentStreams">): grpc.ServerOptions {
  return {
    "grpc.max_receive_message_length": config.maxMessageSize,
    "grpc.max_send_message_length": config.maxMessageSize,
    ...(config.maxConcurrentStreams ? { "grpc.max_concurrent_streams": config.maxConcurrentStreams } : {}),
    // grpc-js keeps channelz statistics for every call by default, for a channelz service this
    // server never exposes: pure per-call cost.
    "grpc.enable_channelz": 0,
  };
}

function metadataOf(call: grpc.ServerUnaryCall<unknown, unknown>): CallMetadata {
  const sid = call.metadata.get("sid")[0];
  const protov = call.metadata.get("protov")[0];
  return {
    sid: typeof sid === "string" ? sid : "",
    protov: typeof protov === "string" ? protov : undefined,
  };
}

/**
 * The gRPC server anycable-go talks to: `anycable.RPC` plus the standard health service.
 * Shutdown drains (see TransportServer): health turns NOT_SERVING, new calls are refused,
 * in-flight calls finish.
 */
export class RpcServer extends TransportServer {
  readonly #server: grpc.Server;
  readonly #health: HealthImplementation;
  /** Each running call's answer and name, kept should the shutdown timeout cut it (closeNow). */
  readonly #running = new Map<grpc.sendUnaryData<never>, string>();
  /** The health service's open Watch streams, ended by closeNow(): each would hold its connection, and so the process, open. */
  readonly #watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();

  constructor(options: RpcServerOptions) {
    super(options.config, options.logger);
    this.#server = new grpc.Server(grpcServerOptions(options.config));
    this.#health = new HealthImplementation({ "": "SERVING", [SERVICE_NAME]: "SERVING" });
    this.#health.addToServer({
      addService: (service, implementation) =>
        this.#server.addService(
          service as grpc.ServiceDefinition,
          this.#keepingWatches(implementation as grpc.UntypedServiceImplementation),
        ),
    });
    this.#server.addService(this.#boundedDefinition(rpcServiceDefinition()), this.#implementation(options.handler));
  }

  /**
   * The service definition with two guards around (de)serialization. A request with more fields
   * than maxRequestEntries is refused before decoding (decoding a huge map blocks the event loop).
   * A reply bigger than maxMessageSize (e.g. an oversized identifier echoed back) would be dropped
   * by grpc-js without a word, and anycable-go could not take it anyway: it is logged and replaced
   * by an ERROR reply saying why.
   */
  #boundedDefinition(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
    const { maxMessageSize, maxRequestEntries } = this.config;
    const bounded: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of Object.entries(definition as Record<string, grpc.MethodDefinition<unknown, unknown>>)) {
      bounded[name] = {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          const entries = requestEntries(name, bytes);
          if (entries !== undefined && entries > maxRequestEntries) {
            this.logger.warn(
              { rpc: name, entries, maxRequestEntries, bytes: bytes.length },
              "RPC request refused: too many fields (ANYCABLE_RPC_MAX_REQUEST_ENTRIES)",
            );
            throw new Error(`request has ${entries} fields, more than ANYCABLE_RPC_MAX_REQUEST_ENTRIES=${maxRequestEntries}`);
          }
          return method.requestDeserialize(bytes);
        },
        responseSerialize: (response: unknown) => {
          const bytes = method.responseSerialize(response);
          if (bytes.length <= maxMessageSize) return bytes;
          this.logger.error(
            { rpc: name, bytes: bytes.length, maxMessageSize },
            "RPC reply refused: larger than ANYCABLE_RPC_MAX_MESSAGE_SIZE (an oversized identifier or state?); answering ERROR instead",
          );
          return method.responseSerialize({
            status: 0,
            error_msg: `reply of ${bytes.length} bytes exceeds the RPC server's limit of ${maxMessageSize}`,
          });
        },
      };
    }
    return bounded;
  }

  /** The health service with each Watch stream kept until it is cancelled by its client or ended by closeNow(). */
  #keepingWatches(health: grpc.UntypedServiceImplementation): grpc.UntypedServiceImplementation {
    const watch = health.watch as grpc.handleServerStreamingCall<unknown, unknown>;
    return {
      ...health,
      watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        this.#watches.add(call);
        call.on("cancelled", () => this.#watches.delete(call));
        watch(call);
      },
    };
  }

  #implementation(handler: RpcHandler): grpc.UntypedServiceImplementation {
    const unary =
      <Req, Res>(name: string, run: (request: Req, meta: CallMetadata) => Promise<Res>) =>
      (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
        this.callStarted();
        // Answered once (#answer): by the handler, or by closeNow() if the shutdown timeout comes
        // first. Kept by its callback, with no closure per call: this is every call's path.
        this.#running.set(callback, name);
        let reply: Promise<Res>;
        try {
          reply = run(call.request, metadataOf(call as grpc.ServerUnaryCall<unknown, unknown>));
        } catch (error) {
          // A handler that throws before returning its promise: left to grpc-js, the call would
          // end as UNKNOWN "Unknown error" and never be counted as finished (a drain would wait
          // for the whole shutdown timeout).
          reply = Promise.reject(error);
        }
        reply.then(
          (response) => {
            this.callEnded();
            this.#answer(callback, null, response);
          },
          // The handler turns application errors into responses; reaching here is our own bug.
          (error: unknown) => {
            this.callEnded();
            this.logger.error({ err: error, rpc: name }, "RPC handler failed unexpectedly");
            this.#answer(callback, {
              code: grpc.status.INTERNAL,
              details: `${name} failed: ${error instanceof Error ? error.message : String(error)}`,
            });
          },
        );
      };
    return {
      Connect: unary("Connect", (req, meta) => handler.connect(req as never, meta)),
      Command: unary("Command", (req, meta) => handler.command(req as never, meta)),
      Disconnect: unary("Disconnect", (req, meta) => handler.disconnect(req as never, meta)),
    };
  }

  /** Answers a call unless closeNow() already has (the call is then no longer in #running). */
  #answer<Res>(callback: grpc.sendUnaryData<Res>, error: Partial<grpc.StatusObject> | null, response?: Res): void {
    if (this.#running.delete(callback)) callback(error, response);
  }

  protected async listen(host: string): Promise<number> {
    const { tls } = this.config;
    const credentials = tls
      ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }], false)
      : grpc.ServerCredentials.createInsecure();
    if (!isLoopbackHost(host)) {
      // anycable-go presents no credential over gRPC: whoever reaches this port can act as it.
      this.logger.warn(
        { host, tls: tls !== undefined },
        "the RPC server listens beyond loopback and anycable-go sends no client credential: keep this port on a private network reachable only by anycable-go",
      );
    }
    const port = await new Promise<number>((resolve, reject) => {
      this.#server.bindAsync(host, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    this.logger.info({ host, port, tls: tls !== undefined }, "AnyCable RPC server listening");
    return port;
  }

  protected stopAccepting(finish: () => void): void {
    this.#health.setStatus("", "NOT_SERVING");
    this.#health.setStatus(SERVICE_NAME, "NOT_SERVING");
    this.#server.tryShutdown(finish);
  }

  protected closeNow(): void {
    // forceShutdown() destroys only the connections channelz tracks (grpc-js 1.14), and channelz
    // is off (grpcServerOptions): a call still running would keep its client waiting and its
    // connection, and so the process, alive. Each is answered UNAVAILABLE, which anycable-go
    // retries, and its connection then closes as tryShutdown() asked.
    for (const [callback, name] of this.#running)
      callback({ code: grpc.status.UNAVAILABLE, details: `${name} cut: the RPC server is shutting down` });
    this.#running.clear();
    // A health watcher has had NOT_SERVING since the drain began (stopAccepting). Its stream never
    // ends by itself: it ends as the connection of a stopped server would, UNAVAILABLE, which
    // health-checking clients take as "retry elsewhere".
    for (const watch of this.#watches) watch.emit("error", { code: grpc.status.UNAVAILABLE, details: "the RPC server is shutting down" });
    this.#watches.clear();
    this.#server.forceShutdown();
  }
}
