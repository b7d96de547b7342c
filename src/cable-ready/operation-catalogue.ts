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

/** Options of each built-in operation, by its wire name. */
export interface OperationOptionsMap {
  append: AppendOptions;
  graft: GraftOptions;
  innerHtml: InnerHtmlOptions;
  insertAdjacentHtml: InsertAdjacentHtmlOptions;
  insertAdjacentText: InsertAdjacentTextOptions;
  morph: MorphOptions;
  outerHtml: OuterHtmlOptions;
  prepend: PrependOptions;
  remove: RemoveOptions;
  replace: ReplaceOptions;
  textContent: TextContentOptions;
  addCssClass: AddCssClassOptions;
  removeAttribute: RemoveAttributeOptions;
  removeCssClass: RemoveCssClassOptions;
  setAttribute: SetAttributeOptions;
  setDatasetProperty: SetDatasetPropertyOptions;
  setProperty: SetPropertyOptions;
  setStyle: SetStyleOptions;
  setStyles: SetStylesOptions;
  setValue: SetValueOptions;
  dispatchEvent: DispatchEventOptions;
  setMeta: SetMetaOptions;
  setTitle: SetTitleOptions;
  clearStorage: ClearStorageOptions;
  go: GoOptions;
  pushState: PushStateOptions;
  redirectTo: RedirectToOptions;
  reload: ReloadOptions;
  removeStorageItem: RemoveStorageItemOptions;
  replaceState: ReplaceStateOptions;
  scrollIntoView: ScrollIntoViewOptions;
  setCookie: SetCookieOptions;
  setFocus: SetFocusOptions;
  setStorageItem: SetStorageItemOptions;
  consoleLog: ConsoleLogOptions;
  consoleTable: ConsoleTableOptions;
  notification: NotificationOptions;
}

export type OperationName = keyof OperationOptionsMap;

/** The built-in operations, in the order of the client's operation table. */
export const OPERATION_NAMES = [
  "append",
  "graft",
  "innerHtml",
  "insertAdjacentHtml",
  "insertAdjacentText",
  "outerHtml",
  "prepend",
  "remove",
  "replace",
  "textContent",
  "addCssClass",
  "removeAttribute",
  "removeCssClass",
  "setAttribute",
  "setDatasetProperty",
  "setProperty",
  "setStyle",
  "setStyles",
  "setValue",
  "dispatchEvent",
  "setMeta",
  "setTitle",
  "clearStorage",
  "go",
  "pushState",
  "redirectTo",
  "reload",
  "removeStorageItem",
  "replaceState",
  "scrollIntoView",
  "setCookie",
  "setFocus",
  "setStorageItem",
  "consoleLog",
  "consoleTable",
  "notification",
  "morph",
] as const satisfies readonly OperationName[];

// Fails to compile when an operation is added to the map but not to the list above.
type AssertNever<T extends never> = T;
type UnlistedOperations = AssertNever<Exclude<OperationName, (typeof OPERATION_NAMES)[number]>>;
