// @anycable/serverless-js 0.1.0 ships .d.ts files whose relative imports have no extension, which
// NodeNext resolution cannot follow, so its classes type as unknown here. This declares the part
// the peer uses; TypeScript consults ambient module declarations before node_modules.
declare module "@anycable/serverless-js" {
  export enum Status {
    ERROR = 0,
    SUCCESS = 1,
    FAILURE = 2,
  }

  export interface Env {
    url: string;
    headers?: Record<string, string> | null;
    cstate?: Record<string, string> | null;
    istate?: Record<string, string> | null;
  }

  export class ConnectionHandle<I extends Record<string, unknown> = Record<string, never>> {
    readonly id: string | null;
    env: Env;
    identifiers: I | null;
    reject(): this;
    identifiedBy(identifiers: I): this;
    transmit(data: unknown): this;
  }

  export class ChannelHandle<I> {
    readonly identifier: string;
    get identifiers(): I | null;
    get env(): Env;
    reject(): this;
    streamFrom(name: string): this;
    transmit(data: unknown): this;
  }

  export class Channel<I, P = Record<string, unknown>> {
    subscribed(handle: ChannelHandle<I>, params: P | null): Promise<void>;
    unsubscribed(handle: ChannelHandle<I>, params: P | null): Promise<void>;
  }

  export class Application<I extends Record<string, unknown> = Record<string, never>> {
    registerChannel(name: string, channel: Channel<I, never>): void;
    connect(handle: ConnectionHandle<I>): Promise<void>;
    disconnect(handle: ConnectionHandle<I>): Promise<void>;
  }

  /** Routes by the last path segment: connect, command or disconnect. */
  export function handler(request: Request, app: Application<never>): Promise<Record<string, unknown>>;
}
