/**
 * Types that tie a channel's action methods to its action schemas. The registry already refuses
 * at run time an action without a method; these make the compiler refuse a method whose
 * parameter does not accept what its schema produces, where the channel is registered
 * (`defineApplication`) and where a test performs it (`anycable-ts/testing`).
 */
import type { z } from "zod";

type SchemaOutput<S> = S extends z.ZodType ? z.output<S> : unknown;
type SchemaInput<S> = S extends z.ZodType ? z.input<S> : unknown;

/** A channel class's `actions` (its schemas by action name). */
export type ActionsOf<C> = C extends { actions: infer A } ? A : never;

/**
 * The methods a channel with `A` as its actions must have: each accepts its schema's output.
 * Schemas typed as a plain record (no literal keys) cannot be checked and are left alone.
 */
export type ActionMethods<A> = string extends keyof A ? unknown : { [K in keyof A]: (data: SchemaOutput<A[K]>) => unknown };

/** Each channel class of a list, required to have action methods that match its schemas. */
export type CheckedChannels<Cs extends readonly unknown[]> = { readonly [I in keyof Cs]: { prototype: ActionMethods<ActionsOf<Cs[I]>> } };

/** The names of a channel class's declared actions. */
export type ActionName<C> = Extract<keyof ActionsOf<C>, string>;

/** What a client sends with an action: its schema's input, without the `action` key itself. */
export type ActionPayload<C, K extends ActionName<C>> = Omit<SchemaInput<ActionsOf<C>[K]>, "action">;
