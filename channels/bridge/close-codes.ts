// WebSocket close codes (RFC 6455 §7.4.1) the bridge ends a Twilio stream with; the reason text
// says which rule the stream broke, and the same reason is logged.
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  internalError: 1011,
} as const;
