// Presence sets read from the server side (anycable-go's REST API).
export {
  PresenceApi,
  PresenceApiError,
  deriveApiSecret,
  loadPresenceApiConfig,
  type PresenceApiOptions,
  type PresenceInfo,
  type PresenceRecord,
} from "./presence-api.js";
