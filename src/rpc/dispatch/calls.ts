import type { Env } from "../messages.js";

/**
 * The calls dispatch runs, typed: what protocol mapping (mapping/requests.ts) makes of a wire
 * request once its protocol version and command are known good.
 */
export interface ConnectCall {
  /** anycable-go's session id for the socket; "" when absent. */
  readonly sid: string;
  readonly env: Env;
}

interface ChannelCallFields {
  readonly sid: string;
  /** `env.istate` is this subscription's channel state. */
  readonly env: Env;
  /** The identifiers string our Connect returned for this socket; "" when it set none. */
  readonly connectionIdentifiers: string;
  /** The channel identifier exactly as the client sent it. */
  readonly identifier: string;
}

export interface SubscribeCall extends ChannelCallFields {
  readonly command: "subscribe";
}

export interface UnsubscribeCall extends ChannelCallFields {
  readonly command: "unsubscribe";
}

export interface PerformCall extends ChannelCallFields {
  /** The protocol's name for a perform. */
  readonly command: "message";
  /** The client's raw data string, e.g. `{"action":"speak","message":"hi"}`. */
  readonly data: string;
}

export type CommandCall = SubscribeCall | UnsubscribeCall | PerformCall;

export interface DisconnectCall {
  readonly sid: string;
  /** `env.istate` is unused here: each subscription carries its own state. */
  readonly env: Env;
  /** The identifiers string our Connect returned; "" for a connection refused at Connect. */
  readonly identifiers: string;
  readonly subscriptions: readonly Subscription[];
}

export interface Subscription {
  readonly identifier: string;
  /** The channel state anycable-go kept for it; undefined when there is none or it is unreadable. */
  readonly state: Readonly<Record<string, string>> | undefined;
}
