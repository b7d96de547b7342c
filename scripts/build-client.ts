// `npm run build:client`: bundles the dashboard's browser client into public/assets/.
// The dashboard also does this on start when the bundle is missing or stale.
import { buildClientBundle } from "../channels/web/client-bundle.js";
import { createLogger } from "anycable-ts";

const logger = createLogger({ name: "build-client" });
try {
  const { path, bytes } = await buildClientBundle();
  logger.info({ path, bytes }, "browser client built");
} catch (error) {
  logger.error({ err: error }, `building the browser client failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
