// One import for tests: `import { startAnycableGo, connectCable } from './index.js'`.
export * from "./anycable-go.js";
export * from "./binaries.js";
export * from "./cable-client.js";
export * from "./capture-logger.js";
export * from "./chromium.js";
export * from "./dns.js";
export * from "./fake-process.js";
export * from "./fake-twilio-api.js";
export * from "./gate-proxy.js";
export * from "./nats.js";
export * from "./never-built-adapter.js";
export * from "./ports.js";
export * from "./process.js";
export * from "./redis.js";
export * from "./reply-holding-proxy.js";
