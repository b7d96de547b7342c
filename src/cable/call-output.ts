/**
 * What one RPC call produced, filled in by the connection and channel as the application runs
 * and read by the RPC layer to build the response.
 */
export interface PresenceChange {
  type: "join" | "leave";
  id: string;
  info: string;
}

export class CallOutput {
  readonly transmissions: string[] = [];
  readonly streams: string[] = [];
  readonly stoppedStreams: string[] = [];
  stopAllStreams = false;
  disconnect = false;
  presence: PresenceChange | undefined;

  transmit(message: unknown): void {
    this.transmissions.push(typeof message === "string" ? message : JSON.stringify(message));
  }
}
