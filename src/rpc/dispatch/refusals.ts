/**
 * A call the RPC layer refuses before any application code runs: it is not the application
 * failing, so it is logged without a stack and its message is the error_msg as it stands (like
 * the framework's ChannelRefusal).
 */
export class CallRefusal extends Error {
  override name = "CallRefusal";
}

/** The request does not follow the RPC protocol: another protocol version, an unknown command. */
export class ProtocolError extends CallRefusal {
  override name = "ProtocolError";
}

/**
 * anycable-go handed back connection identifiers the Connection class does not accept (they
 * were not made by this application's Connect, or its identifiers schema changed since). Not the
 * client's subscription at fault, so a subscribe answers ERROR, not reject_subscription.
 */
export class ConnectionIdentifiersError extends CallRefusal {
  override name = "ConnectionIdentifiersError";
}
