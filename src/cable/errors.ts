import { brand } from "../shared/brand.js";

/** Raised by `rejectUnauthorizedConnection()`; the RPC layer turns it into FAILURE + unauthorized. */
export class UnauthorizedError extends Error {
  override name = "UnauthorizedError";
  constructor(message = "Connection rejected as unauthorized") {
    super(message);
  }
}

brand(UnauthorizedError, "UnauthorizedError");

/** The client named a channel, action or identifier the application does not know or accept. */
export class ChannelRefusal extends Error {
  override name = "ChannelRefusal";
}

brand(ChannelRefusal, "ChannelRefusal");

export class UnknownChannelError extends ChannelRefusal {
  override name = "UnknownChannelError";
}

export class MalformedIdentifierError extends ChannelRefusal {
  override name = "MalformedIdentifierError";
}

export class InvalidParamsError extends ChannelRefusal {
  override name = "InvalidParamsError";
}

export class UnknownActionError extends ChannelRefusal {
  override name = "UnknownActionError";
}

export class InvalidActionDataError extends ChannelRefusal {
  override name = "InvalidActionDataError";
}

/** The application itself is declared wrongly (a bad channel class); raised at registration. */
export class DefinitionError extends Error {
  override name = "DefinitionError";
}
brand(DefinitionError, "DefinitionError");
