import { describe, expect, it } from "vitest";
import { MemoryCallRegistry } from "../../../../channels/calls/memory-call-registry.js";
import { callRegistryContract } from "../support/call-registry-contract.js";

describe("MemoryCallRegistry", () => {
  callRegistryContract((limits) => new MemoryCallRegistry(limits));
});
