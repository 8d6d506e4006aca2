import {
  AttributeCode,
  CeaseSubcode,
  ErrorCode,
  FsmErrorSubcode,
  HeaderErrorSubcode,
  OpenErrorSubcode,
  RouteRefreshErrorSubcode,
  UpdateErrorSubcode,
} from "./constants.js";
import type { ErrorHandling } from "./types.js";

const EMPTY = new Uint8Array(0);

function u16(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}

/**
 * The one protocol error: what a NOTIFICATION would carry (code, subcode, data) and how RFC 7606
 * says the receiver handles it. Decoders throw only this on bad bytes; build it through the
 * named factories so the data field RFC 4271 §6 requires is never forgotten.
 * @category Wire codec
 */
export class BgpError extends Error {
  /** Always "BgpError", so logs and `instanceof`-free checks can tell it apart. */
  override readonly name = "BgpError";
  /** The NOTIFICATION error code (see `ErrorCode`). */
  readonly code: number;
  /** The NOTIFICATION error subcode; 0 when unspecific. */
  readonly subcode: number;
  /** The NOTIFICATION data field the RFC asks for with this code/subcode; may be empty. */
  readonly data: Uint8Array;
  /**
   * What RFC 7606 says the receiver does: reset the session (send this NOTIFICATION), treat the
   * UPDATE's routes as withdrawn, or discard the attribute. Default "session-reset".
   */
  readonly errorHandling: ErrorHandling;
  /** The attribute type code concerned, for UPDATE errors about one attribute. */
  readonly attributeCode?: number;

  constructor(
    code: number,
    subcode: number,
    data: Uint8Array = EMPTY,
    message?: string,
    options: { errorHandling?: ErrorHandling; attributeCode?: number; cause?: unknown } = {},
  ) {
    super(
      message ?? `BGP error ${code}/${subcode}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.subcode = subcode;
    this.data = data;
    this.errorHandling = options.errorHandling ?? "session-reset";
    if (options.attributeCode !== undefined) this.attributeCode = options.attributeCode;
  }

  /** The same error with another RFC 7606 handling (used where context decides it). */
  withHandling(errorHandling: ErrorHandling): BgpError {
    return new BgpError(this.code, this.subcode, this.data, this.message, {
      errorHandling,
      ...(this.attributeCode === undefined ? {} : { attributeCode: this.attributeCode }),
    });
  }

  // --- Message Header Error (RFC 4271 §6.1) ---

  /** The marker is not all ones. */
  static connectionNotSynchronized(): BgpError {
    return new BgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderErrorSubcode.CONNECTION_NOT_SYNCHRONIZED,
      EMPTY,
      "message header marker is not all ones",
    );
  }

  /** "the Data field MUST contain the erroneous Length field." */
  static badMessageLength(length: number, why = "bad message length"): BgpError {
    return new BgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderErrorSubcode.BAD_MESSAGE_LENGTH,
      u16(length),
      `${why}: ${length}`,
    );
  }

  /** "the Data field MUST contain the erroneous Type field." */
  static badMessageType(messageType: number): BgpError {
    return new BgpError(
      ErrorCode.MESSAGE_HEADER,
      HeaderErrorSubcode.BAD_MESSAGE_TYPE,
      Uint8Array.of(messageType & 0xff),
      `bad message type ${messageType}`,
    );
  }

  // --- OPEN Message Error (RFC 4271 §6.2) ---

  /** "the Data field is a 2-octet unsigned integer, which indicates the largest locally-supported version number" */
  static unsupportedVersionNumber(received: number, supported = 4): BgpError {
    return new BgpError(
      ErrorCode.OPEN_MESSAGE,
      OpenErrorSubcode.UNSUPPORTED_VERSION_NUMBER,
      u16(supported),
      `unsupported BGP version ${received}`,
    );
  }

  /** 2/2: the peer's AS is `received`, not the `expected` one configured. */
  static badPeerAs(received: number, expected?: number): BgpError {
    return new BgpError(
      ErrorCode.OPEN_MESSAGE,
      OpenErrorSubcode.BAD_PEER_AS,
      EMPTY,
      expected === undefined ? `bad peer AS ${received}` : `bad peer AS ${received}, expected ${expected}`,
    );
  }

  /** 2/3: the OPEN's BGP Identifier is not usable. */
  static badBgpIdentifier(identifier: string): BgpError {
    return new BgpError(
      ErrorCode.OPEN_MESSAGE,
      OpenErrorSubcode.BAD_BGP_IDENTIFIER,
      EMPTY,
      `bad BGP identifier ${identifier}`,
    );
  }

  /** 2/4: an OPEN optional parameter of a type we do not know. */
  static unsupportedOptionalParameter(parameterType: number): BgpError {
    return new BgpError(
      ErrorCode.OPEN_MESSAGE,
      OpenErrorSubcode.UNSUPPORTED_OPTIONAL_PARAMETER,
      EMPTY,
      `unsupported optional parameter ${parameterType}`,
    );
  }

  /** 2/6: the OPEN's hold time, in seconds, is 1 or 2. */
  static unacceptableHoldTime(holdTime: number): BgpError {
    return new BgpError(
      ErrorCode.OPEN_MESSAGE,
      OpenErrorSubcode.UNACCEPTABLE_HOLD_TIME,
      EMPTY,
      `unacceptable hold time ${holdTime}`,
    );
  }

  /** RFC 5492 §5: the Data field lists the capabilities (code, length, value) that we require and the peer lacks. */
  static unsupportedCapability(capabilityTlvs: Uint8Array, why = "required capability missing"): BgpError {
    return new BgpError(ErrorCode.OPEN_MESSAGE, OpenErrorSubcode.UNSUPPORTED_CAPABILITY, capabilityTlvs, why);
  }

  /** 2/11 (RFC 9234): the peer's BGP role does not fit ours. */
  static roleMismatch(why = "BGP role mismatch"): BgpError {
    return new BgpError(ErrorCode.OPEN_MESSAGE, OpenErrorSubcode.ROLE_MISMATCH, EMPTY, why);
  }

  /** A malformed OPEN with no closer subcode (RFC 4271 §6.2 leaves subcode 0 "unspecific"). */
  static malformedOpen(why: string, data: Uint8Array = EMPTY): BgpError {
    return new BgpError(ErrorCode.OPEN_MESSAGE, 0, data, why);
  }

  // --- UPDATE Message Error (RFC 4271 §6.3, RFC 7606) ---

  /** 3/1: attribute lengths do not add up, or an attribute repeats; RFC 7606 handling as given. */
  static malformedAttributeList(why: string, handling: ErrorHandling = "session-reset"): BgpError {
    return new BgpError(ErrorCode.UPDATE_MESSAGE, UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST, EMPTY, why, {
      errorHandling: handling,
    });
  }

  /** "the Data field MUST contain the unrecognized attribute (type, length, and value)." */
  static unrecognizedWellKnownAttribute(attribute: Uint8Array, attributeCode: number): BgpError {
    return new BgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
      attribute,
      `unrecognized well-known attribute ${attributeCode}`,
      { attributeCode, errorHandling: "treat-as-withdraw" },
    );
  }

  /** "the Data field MUST contain the Attribute Type Code of the missing, well-known attribute." */
  static missingWellKnownAttribute(attributeCode: number): BgpError {
    return new BgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateErrorSubcode.MISSING_WELL_KNOWN_ATTRIBUTE,
      Uint8Array.of(attributeCode),
      `missing well-known attribute ${attributeCode}`,
      { attributeCode, errorHandling: "treat-as-withdraw" },
    );
  }

  /** "the Data field MUST contain the erroneous attribute (type, length, and value)." */
  static attributeFlagsError(
    attribute: Uint8Array,
    attributeCode: number,
    handling: ErrorHandling = "treat-as-withdraw",
  ): BgpError {
    return new BgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateErrorSubcode.ATTRIBUTE_FLAGS_ERROR,
      attribute,
      `attribute ${attributeCode} has bad flags`,
      { attributeCode, errorHandling: handling },
    );
  }

  /** "the Data field MUST contain the erroneous attribute (type, length, and value)." */
  static attributeLengthError(
    attribute: Uint8Array,
    attributeCode: number,
    handling: ErrorHandling = "treat-as-withdraw",
  ): BgpError {
    return new BgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
      attribute,
      `attribute ${attributeCode} has a bad length`,
      { attributeCode, errorHandling: handling },
    );
  }

  /** "the Data field MUST contain the unrecognized attribute (type, length, and value)." */
  static invalidOrigin(attribute: Uint8Array): BgpError {
    return new BgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateErrorSubcode.INVALID_ORIGIN_ATTRIBUTE,
      attribute,
      "invalid ORIGIN value",
      { attributeCode: AttributeCode.ORIGIN, errorHandling: "treat-as-withdraw" },
    );
  }

  /** "the Data field MUST contain the incorrect attribute (type, length, and value)." */
  static invalidNextHop(attribute: Uint8Array, why = "invalid NEXT_HOP"): BgpError {
    return new BgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateErrorSubcode.INVALID_NEXT_HOP_ATTRIBUTE,
      attribute,
      why,
      {
        attributeCode: AttributeCode.NEXT_HOP,
        errorHandling: "treat-as-withdraw",
      },
    );
  }

  /** "the Data field MUST contain the attribute (type, length, and value)." */
  static optionalAttributeError(
    attribute: Uint8Array,
    attributeCode: number,
    handling: ErrorHandling = "treat-as-withdraw",
    why = `optional attribute ${attributeCode} is malformed`,
  ): BgpError {
    return new BgpError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR,
      attribute,
      why,
      {
        attributeCode,
        errorHandling: handling,
      },
    );
  }

  /** A malformed NLRI field; RFC 7606 §5.3 makes it a session reset (or AFI/SAFI disable). */
  static invalidNetworkField(why = "invalid network field"): BgpError {
    return new BgpError(ErrorCode.UPDATE_MESSAGE, UpdateErrorSubcode.INVALID_NETWORK_FIELD, EMPTY, why);
  }

  /** 3/11: a malformed AS_PATH, which RFC 7606 §7.2 makes treat-as-withdraw. */
  static malformedAsPath(why = "malformed AS_PATH"): BgpError {
    return new BgpError(ErrorCode.UPDATE_MESSAGE, UpdateErrorSubcode.MALFORMED_AS_PATH, EMPTY, why, {
      attributeCode: AttributeCode.AS_PATH,
      errorHandling: "treat-as-withdraw",
    });
  }

  // --- Hold Timer Expired, FSM Error, Cease, ROUTE-REFRESH ---

  /** 4/0: nothing heard from the peer for the hold time. */
  static holdTimerExpired(): BgpError {
    return new BgpError(ErrorCode.HOLD_TIMER_EXPIRED, 0, EMPTY, "hold timer expired");
  }

  /**
   * RFC 9687 §4: "the local system ... MUST ... send a NOTIFICATION message with the Error Code
   * Send Hold Timer Expired" when nothing could be written for the SendHoldTime.
   */
  static sendHoldTimerExpired(seconds: number): BgpError {
    return new BgpError(
      ErrorCode.SEND_HOLD_TIMER_EXPIRED,
      0,
      EMPTY,
      `send hold timer expired: nothing could be written to the peer for ${seconds} s`,
    );
  }

  /** RFC 6608 subcodes: 1 in OpenSent, 2 in OpenConfirm, 3 in Established. */
  static fsmError(
    subcode: number = FsmErrorSubcode.UNSPECIFIED,
    receivedType?: number,
    why = "unexpected message",
  ): BgpError {
    // RFC 6608 §4: "the Data field ... the message type of the unexpected message" (one octet).
    const data = receivedType === undefined ? EMPTY : Uint8Array.of(receivedType);
    return new BgpError(ErrorCode.FSM, subcode, data, why);
  }

  /** 6/`subcode` (see `CeaseSubcode`), with optional data (an RFC 9003 message, for instance). */
  static cease(subcode: number, data: Uint8Array = EMPTY, why = `cease ${subcode}`): BgpError {
    return new BgpError(ErrorCode.CEASE, subcode, data, why);
  }

  /** RFC 4486 §4: optional data carries AFI (2), SAFI (1) and the upper bound (4). */
  static maximumPrefixesReached(afi: number, safi: number, limit: number): BgpError {
    const data = Uint8Array.of(
      (afi >>> 8) & 0xff,
      afi & 0xff,
      safi & 0xff,
      (limit >>> 24) & 0xff,
      (limit >>> 16) & 0xff,
      (limit >>> 8) & 0xff,
      limit & 0xff,
    );
    return new BgpError(
      ErrorCode.CEASE,
      CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED,
      data,
      `maximum number of prefixes reached (${limit})`,
    );
  }

  /** RFC 7313 §5: "the Data field ... the complete ROUTE-REFRESH message" */
  static invalidRouteRefreshLength(message: Uint8Array): BgpError {
    return new BgpError(
      ErrorCode.ROUTE_REFRESH_MESSAGE,
      RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH,
      message,
      `invalid ROUTE-REFRESH length ${message.length}`,
    );
  }
}
