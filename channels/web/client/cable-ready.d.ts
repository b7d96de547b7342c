// The cable_ready npm package ships no types; these cover what the dashboard client uses.
declare module "cable_ready" {
  export interface CableReadyOperation {
    readonly operation: string;
    selector?: string;
    selectAll?: boolean;
    cancel?: boolean;
    delay?: number;
    /** Resolved by Cable Ready from `selector` before the operation runs; null when missing. */
    element?: Element | null;
    [option: string]: unknown;
  }

  export interface CableReadyGlobal {
    initialize(options: { consumer: unknown; onMissingElement?: "warn" | "ignore" | "event" | "exception"; debug?: boolean }): void;
    addOperation(name: string, operation: (operation: CableReadyOperation) => void): void;
    readonly consumer: unknown;
  }

  export const Utils: {
    processElements(operation: CableReadyOperation, callback: (element: Element) => void): void;
    before(target: Element, operation: CableReadyOperation): void;
    after(target: Element, operation: CableReadyOperation): void;
    operate(operation: CableReadyOperation, callback: () => void): boolean;
    safeScalar(value: unknown): string;
  };

  const CableReady: CableReadyGlobal;
  export default CableReady;
}
