/**
 * What the application half sends to anycable-go, in AnyCable's broadcast format.
 * `data` is always a string on the wire; anycable-go parses it before sending it to clients.
 */
export interface BroadcastMeta {
  /** Session id (the RPC `sid` metadata) that must not receive this message. */
  exclude_socket?: string;
  /** Do not keep in the stream history. */
  transient?: boolean;
  broadcast_type?: string;
}

export interface Publication {
  stream: string;
  data: string;
  meta?: BroadcastMeta;
}

/** Remote commands anycable-go understands; today only disconnect. */
export interface DisconnectCommand {
  command: "disconnect";
  payload: { identifier: string; reconnect: boolean };
}

export type RemoteCommand = DisconnectCommand;

export interface Broadcaster {
  /** Publishes one message; objects are JSON-encoded into `data`. */
  broadcast(stream: string, data: string | object, meta?: BroadcastMeta): Promise<void>;
  /** Publishes several messages as one batch publication (anycable-go >= 1.4.5). */
  broadcastMany(publications: readonly Publication[]): Promise<void>;
  /** Sends a remote command such as disconnecting every connection with given identifiers. */
  broadcastCommand(command: RemoteCommand): Promise<void>;
  /** Flushes anything pending and releases the broker connection. */
  close(): Promise<void>;
}
