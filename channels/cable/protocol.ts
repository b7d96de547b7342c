// What a client of the call monitor's cable sends: the media-stream bridge (and whatever stands in
// for it: npm start's wiring, benchmarks, tests) connects with these headers and subscribes with
// this identifier; the connection and the channel read the same names from here.

/** The stream's Twilio account SID, which must name the configured account. */
export const TWILIO_ACCOUNT_HEADER = "x-twilio-account";

/**
 * How the bridge proves itself when it connects for a call. The account SID alone proves nothing:
 * it is in every Twilio URL and log. This value is an HMAC (credentials/bridge-credential.ts),
 * keyed by a secret only the bridge and the RPC application hold, over the CallSid and the time
 * it was issued.
 */
export const BRIDGE_CREDENTIAL_HEADER = "x-twilio-bridge-credential";

/** What anycable-go must forward to Connect: `--headers=cookie,x-twilio-account,x-twilio-bridge-credential`. */
export const CALL_MONITOR_HEADERS = ["cookie", TWILIO_ACCOUNT_HEADER, BRIDGE_CREDENTIAL_HEADER] as const;

/** The channel a phone call's media stream subscribes to. */
export const TWILIO_CHANNEL = "twilio";

/** The subscription identifier for one call: `{"channel":"twilio","sid":"CA…"}`. */
export function twilioCallIdentifier(callSid: string): string {
  return JSON.stringify({ channel: TWILIO_CHANNEL, sid: callSid });
}
