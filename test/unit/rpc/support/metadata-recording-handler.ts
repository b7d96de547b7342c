import { RpcHandler } from "../../../../src/rpc/handler.js";
import type { CallMetadata } from "../../../../src/rpc/messages.js";

/**
 * An RpcHandler that keeps the metadata each Connect was handed, for the transports' tests of
 * what reaches the handler from gRPC metadata or HTTP headers.
 */
export function metadataRecordingHandler(options: ConstructorParameters<typeof RpcHandler>[0]): {
  handler: RpcHandler;
  seen: CallMetadata[];
} {
  const seen: CallMetadata[] = [];
  class RecordingHandler extends RpcHandler {
    override connect(request: Parameters<RpcHandler["connect"]>[0], meta: CallMetadata) {
      seen.push(meta);
      return super.connect(request, meta);
    }
  }
  return { handler: new RecordingHandler(options), seen };
}
