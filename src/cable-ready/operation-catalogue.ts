/**
 * Every operation the Cable Ready 5 client (npm `cable_ready` 5.0.6) knows, with the options
 * it reads. Names are the gem's default operation names after `camelize(:lower)`, which is
 * also the key the client dispatches on. Option names are the client's camelCase names.
 */
import type { SafeHtml } from "./html.js";

/** Honoured by the client for every operation. */
export interface CommonOptions {
  /** Operations sharing a batch name fire `cable-ready:batch-complete` once all have run. */
  batch?: string;
  /** Skips the operation (set by a `cable-ready:before-*` listener, rarely by the server). */
  cancel?: boolean;
  /** Milliseconds to wait before running the operation. */
  delay?: number;
}

/**
 * Where an operation applies. Optional because an operation without `selector` reuses the
 * previous operation's selector (and xpath), as the gem does.
 */
export interface TargetOptions {
  selector?: string;
  /** `selector` is an XPath expression rather than a CSS selector. */
  xpath?: boolean;
  /** Apply to every match instead of the first. */
  selectAll?: boolean;
}

export interface FocusOptions {
  /** CSS selector of the element to focus afterwards. */
  focusSelector?: string;
}

export type InsertPosition = "beforebegin" | "afterbegin" | "beforeend" | "afterend";
export type StorageType = "local" | "session";
/** Values the client converts to a string or assigns directly (`safeScalar`). */
type Scalar = string | number | boolean;
type JsonObject = Readonly<Record<string, unknown>>;

// DOM mutations

export interface HtmlMutationOptions extends CommonOptions, TargetOptions, FocusOptions {
  /** Inserted as markup: build it with html`` (escapes interpolations) or unsafeHtml(). */
  html: SafeHtml;
}
export type AppendOptions = HtmlMutationOptions;
export type PrependOptions = HtmlMutationOptions;
export type InnerHtmlOptions = HtmlMutationOptions;
export type OuterHtmlOptions = HtmlMutationOptions;
export type ReplaceOptions = HtmlMutationOptions;
export interface InsertAdjacentHtmlOptions extends HtmlMutationOptions {
  /** Defaults to `beforeend` on the client. */
  position?: InsertPosition;
}
export interface InsertAdjacentTextOptions extends CommonOptions, TargetOptions, FocusOptions {
  text: string;
  position?: InsertPosition;
}
export interface TextContentOptions extends CommonOptions, TargetOptions, FocusOptions {
  text: string;
}
export interface GraftOptions extends CommonOptions, TargetOptions, FocusOptions {
  /** CSS selector of the new parent element. */
  parent: string;
}
export interface RemoveOptions extends CommonOptions, TargetOptions, FocusOptions {}
export interface MorphOptions extends HtmlMutationOptions {
  /** Morph only the element's children, keeping the element itself. */
  childrenOnly?: boolean;
  /** Attribute marking elements morphdom must leave alone. */
  permanentAttributeName?: string;
}

// Element properties

export interface CssClassOptions extends CommonOptions, TargetOptions {
  name: string | readonly string[];
}
export type AddCssClassOptions = CssClassOptions;
export type RemoveCssClassOptions = CssClassOptions;
export interface SetAttributeOptions extends CommonOptions, TargetOptions {
  name: string;
  value: Scalar;
}
export interface RemoveAttributeOptions extends CommonOptions, TargetOptions {
  name: string;
}
export interface SetDatasetPropertyOptions extends CommonOptions, TargetOptions {
  /** The dataset key in its camelCase DOM form (`callSid` for `data-call-sid`). */
  name: string;
  value: Scalar;
}
export interface SetPropertyOptions extends CommonOptions, TargetOptions {
  name: string;
  value: Scalar;
}
export interface SetStyleOptions extends CommonOptions, TargetOptions {
  name: string;
  value: Scalar;
}
export interface SetStylesOptions extends CommonOptions, TargetOptions {
  /** Keys are camelized like every other key (`background_color` -> `backgroundColor`). */
  styles: Readonly<Record<string, Scalar>>;
}
export interface SetValueOptions extends CommonOptions, TargetOptions {
  value: Scalar;
}

// Events and meta

export interface DispatchEventOptions extends CommonOptions, TargetOptions {
  name: string;
  /** The CustomEvent's detail; its keys are camelized. */
  detail?: JsonObject;
}
export interface SetMetaOptions extends CommonOptions {
  name: string;
  content: Scalar;
}
export interface SetTitleOptions extends CommonOptions {
  title: string;
}

// Browser manipulation

export interface ClearStorageOptions extends CommonOptions {
  /** Defaults to `local` on the client. */
  type?: StorageType;
}
export interface SetStorageItemOptions extends CommonOptions {
  key: string;
  value: Scalar;
  type?: StorageType;
}
export interface RemoveStorageItemOptions extends CommonOptions {
  key: string;
  type?: StorageType;
}
export interface GoOptions extends CommonOptions {
  /** Passed to `history.go`. */
  delta: number;
}
export interface HistoryStateOptions extends CommonOptions {
  url: string;
  title?: string;
  state?: JsonObject;
}
export type PushStateOptions = HistoryStateOptions;
export type ReplaceStateOptions = HistoryStateOptions;
export interface RedirectToOptions extends CommonOptions {
  url: string;
  /** Turbo visit action; the client defaults to `advance`. */
  action?: "advance" | "replace" | "restore";
  /** Use Turbo/Turbolinks when present; the client defaults to true. */
  turbo?: boolean;
}
export interface ReloadOptions extends CommonOptions {}
export interface ScrollIntoViewOptions extends CommonOptions, TargetOptions {
  behavior?: "auto" | "smooth" | "instant";
  block?: "start" | "center" | "end" | "nearest";
  inline?: "start" | "center" | "end" | "nearest";
}
export interface SetCookieOptions extends CommonOptions {
  /** A whole `document.cookie` assignment, e.g. `name=value; path=/`. */
  cookie: string;
}
export interface SetFocusOptions extends CommonOptions, TargetOptions {}

// Notifications

export interface ConsoleLogOptions extends CommonOptions {
  message: unknown;
  /** Anything other than warn/info/error logs with console.log. */
  level?: "log" | "info" | "warn" | "error";
}
export interface ConsoleTableOptions extends CommonOptions {
  data: readonly unknown[] | JsonObject;
  columns?: readonly string[];
}
export interface NotificationOptions extends CommonOptions {
  title: string;
  /** The browser Notification's options (body, icon, …); keys are camelized. */
  options?: JsonObject;
}

/** A catalogue entry. Its options' type is all it carries, and only the type system reads it. */
export interface OperationEntry<Options extends CommonOptions> {
  readonly options?: Options;
}

function takes<Options extends CommonOptions>(): OperationEntry<Options> {
  return {};
}

/**
 * Every built-in operation, by its wire name, in the order of the client's operation table. The
 * one place an operation is added: OPERATION_NAMES, OperationOptionsMap and the builder's
 * methods (operations.ts) follow from it, documentation included.
 */
export const OPERATION_CATALOGUE = {
  // DOM mutations
  /** Inserts `html` at the end of the target's children. */
  append: takes<AppendOptions>(),
  /** Moves the target into the element matching `parent`. */
  graft: takes<GraftOptions>(),
  /** Replaces the target's children with `html`. */
  innerHtml: takes<InnerHtmlOptions>(),
  /** Inserts `html` at `position` relative to the target. */
  insertAdjacentHtml: takes<InsertAdjacentHtmlOptions>(),
  /** Inserts `text` (never parsed as markup) at `position` relative to the target. */
  insertAdjacentText: takes<InsertAdjacentTextOptions>(),
  /** Replaces the target itself with `html`. */
  outerHtml: takes<OuterHtmlOptions>(),
  /** Inserts `html` at the start of the target's children. */
  prepend: takes<PrependOptions>(),
  /** Removes the target. */
  remove: takes<RemoveOptions>(),
  /** Replaces the target with `html`. */
  replace: takes<ReplaceOptions>(),
  /** Sets the target's text (never parsed as markup). */
  textContent: takes<TextContentOptions>(),
  // Element properties
  /** Adds one or more CSS classes to the target. */
  addCssClass: takes<AddCssClassOptions>(),
  /** Removes the attribute `name` from the target. */
  removeAttribute: takes<RemoveAttributeOptions>(),
  /** Removes one or more CSS classes from the target. */
  removeCssClass: takes<RemoveCssClassOptions>(),
  /** Sets the attribute `name` of the target to `value`. */
  setAttribute: takes<SetAttributeOptions>(),
  /** Sets `dataset[name]` of the target to `value`. */
  setDatasetProperty: takes<SetDatasetPropertyOptions>(),
  /** Sets the DOM property `name` of the target to `value`. */
  setProperty: takes<SetPropertyOptions>(),
  /** Sets one inline style of the target. */
  setStyle: takes<SetStyleOptions>(),
  /** Sets several inline styles of the target. */
  setStyles: takes<SetStylesOptions>(),
  /** Sets the target's form value. */
  setValue: takes<SetValueOptions>(),
  // Events and meta
  /** Dispatches the CustomEvent `name` (with `detail`) on the target, or on the document. */
  dispatchEvent: takes<DispatchEventOptions>(),
  /** Creates or updates `<meta name="…" content="…">`. */
  setMeta: takes<SetMetaOptions>(),
  /** Sets the document's title. */
  setTitle: takes<SetTitleOptions>(),
  // Browser manipulation
  /** Empties localStorage or sessionStorage. */
  clearStorage: takes<ClearStorageOptions>(),
  /** Moves `delta` steps through the session history. */
  go: takes<GoOptions>(),
  /** Adds a history entry for `url`. */
  pushState: takes<PushStateOptions>(),
  /** Navigates to `url`, with Turbo when the page has it. */
  redirectTo: takes<RedirectToOptions>(),
  /** Reloads the page. */
  reload: takes<ReloadOptions>(),
  /** Removes `key` from localStorage or sessionStorage. */
  removeStorageItem: takes<RemoveStorageItemOptions>(),
  /** Replaces the current history entry with `url`. */
  replaceState: takes<ReplaceStateOptions>(),
  /** Scrolls the target into view. */
  scrollIntoView: takes<ScrollIntoViewOptions>(),
  /** Assigns `cookie` to `document.cookie`. */
  setCookie: takes<SetCookieOptions>(),
  /** Focuses the target. */
  setFocus: takes<SetFocusOptions>(),
  /** Stores `value` under `key` in localStorage or sessionStorage. */
  setStorageItem: takes<SetStorageItemOptions>(),
  // Notifications
  /** Logs `message` to the browser console. */
  consoleLog: takes<ConsoleLogOptions>(),
  /** Logs `data` as a table to the browser console. */
  consoleTable: takes<ConsoleTableOptions>(),
  /** Shows a browser Notification, asking for permission if need be. */
  notification: takes<NotificationOptions>(),
  // DOM mutations, listed last by the client
  /** Morphs the target into `html` (morphdom), keeping focus and unchanged nodes. */
  morph: takes<MorphOptions>(),
} as const;

export type OperationName = keyof typeof OPERATION_CATALOGUE;

/** Options of each built-in operation, by its wire name: `OperationOptionsMap["append"]`. */
export type OperationOptionsMap = {
  [N in keyof typeof OPERATION_CATALOGUE]: (typeof OPERATION_CATALOGUE)[N] extends OperationEntry<infer Options> ? Options : never;
};

/** The built-in operations, in the order of the client's operation table. */
export const OPERATION_NAMES = Object.freeze(Object.keys(OPERATION_CATALOGUE)) as readonly OperationName[];
