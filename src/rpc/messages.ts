/**
 * The rpc.proto messages as @grpc/proto-loader decodes them (keepCase, defaults on) and as we
 * build responses. Hand-written to match protos/rpc.proto field for field.
 */
export const Status = { ERROR: 0, SUCCESS: 1, FAILURE: 2 } as const;
export type Status = (typeof Status)[keyof typeof Status];

export interface Env {
  url: string;
  headers: Record<string, string>;
  cstate: Record<string, string>;
  istate: Record<string, string>;
}

export interface EnvResponse {
  cstate: Record<string, string>;
  istate: Record<string, string>;
}

export interface PresenceResponse {
  type: string;
  id: string;
  info: string;
  ttl: number;
}

export interface ConnectionRequest {
  env: Env | null;
}

export interface ConnectionResponse {
  status: Status;
  identifiers: string;
  transmissions: string[];
  error_msg: string;
  env: EnvResponse | null;
}

export interface CommandMessage {
  command: string;
  identifier: string;
  connection_identifiers: string;
  data: string;
  env: Env | null;
}

export interface CommandResponse {
  status: Status;
  disconnect: boolean;
  stop_streams: boolean;
  streams: string[];
  transmissions: string[];
  error_msg: string;
  env: EnvResponse | null;
  stopped_streams: string[];
  presence: PresenceResponse | null;
}

export interface DisconnectRequest {
  identifiers: string;
  subscriptions: string[];
  env: Env | null;
}

export interface DisconnectResponse {
  status: Status;
  error_msg: string;
}

/** What the gRPC metadata of a call told us. */
export interface CallMetadata {
  /** anycable-go's session id for the socket; "" when absent. */
  sid: string;
  /** Comma-separated protocol versions the client speaks, e.g. "v1"; undefined when absent. */
  protov: string | undefined;
}
