// The values `npm start` and `npm run simulate` fall back to on a developer's machine, in one
// place so the two agree. None of them is a secret worth anything: set the real variables for
// anything but local development (npm start warns when it uses them).

/** The account the recordings and the simulator use by default. */
export const DEV_ACCOUNT_SID = "AC20230312";
export const DEV_AUTH_TOKEN = "development-only-twilio-auth-token";
export const DEV_BRIDGE_SECRET = "development-only-twilio-bridge-secret";
export const DEV_BRIDGE_HOST = "127.0.0.1:8081";
/** Twilio never reaches this one; the simulator signs over it as Twilio would over the real public URL. */
export const DEV_STREAM_URL = "wss://localhost:8081/twilio";
