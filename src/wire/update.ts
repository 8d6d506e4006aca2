/*
 * UPDATE message body (RFC 4271 §4.3), after the 19-octet header:
 *
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes Length (2 octets)                |
 *   +-----------------------------------------------------+
 *   |   Withdrawn Routes (variable)                       |
 *   +-----------------------------------------------------+
 *   |   Total Path Attribute Length (2 octets)            |
 *   +-----------------------------------------------------+
 *   |   Path Attributes (variable)                        |
 *   +-----------------------------------------------------+
 *   |   Network Layer Reachability Information (variable) |
 *   +-----------------------------------------------------+
 *
 * Withdrawn Routes and NLRI are IPv4 unicast; other families travel in MP_REACH_NLRI and
 * MP_UNREACH_NLRI (RFC 4760). RFC 7606 decides what a malformed UPDATE costs.
 */

import {
  attributeSeen,
  decodePathAttributes,
  encodePathAttributes,
  pathAttributesLength,
} from "./attributes/index.js";
import { AttributeCode, ErrorCode, UpdateErrorSubcode } from "./constants.js";
import { deferNlri, defersNlri, hasEntries } from "./deferred-nlri.js";
import { BgpError } from "./errors.js";
import { decodeNlri, encodeNlri, nlriLength } from "./prefix.js";
import type { CodecContext, PathAttributes, UpdateMessage, UpdateProblem } from "./types.js";
import type { Writer } from "./writer.js";

/** Decode the UPDATE body bytes[start, end). Throws BgpError only when RFC 7606 says session reset. */
export function decodeUpdate(
  bytes: Uint8Array,
  start: number,
  end: number,
  ctx: CodecContext,
): UpdateMessage {
  // RFC 4271 §6.3: "If the Withdrawn Routes Length or Total Attribute Length is too large (i.e., if
  // Withdrawn Routes Length + Total Attribute Length + 23 exceeds the message Length), then the
  // Error Subcode MUST be set to Malformed Attribute List." RFC 7606 §3.a keeps this a session reset.
  if (end - start < 4) throw BgpError.malformedAttributeList("UPDATE shorter than its two length fields");
  const withdrawnLength = (bytes[start] << 8) | bytes[start + 1];
  const withdrawnStart = start + 2;
  const withdrawnEnd = withdrawnStart + withdrawnLength;
  if (withdrawnEnd + 2 > end) {
    throw BgpError.malformedAttributeList(`Withdrawn Routes Length ${withdrawnLength} overruns the message`);
  }
  const attributesLength = (bytes[withdrawnEnd] << 8) | bytes[withdrawnEnd + 1];
  const attributesStart = withdrawnEnd + 2;
  const attributesEnd = attributesStart + attributesLength;
  if (attributesEnd > end) {
    throw BgpError.malformedAttributeList(
      `Total Path Attribute Length ${attributesLength} overruns the message`,
    );
  }
  const addPath = ctx.addPath.includes("ipv4-unicast");
  if (defersNlri(ctx)) {
    // The receive path: the same checks in the same order, the entries left as bytes.
    const update = { type: "update" } as { -readonly [K in keyof UpdateMessage]: UpdateMessage[K] };
    deferNlri(update, "withdrawnRoutes", bytes, withdrawnStart, withdrawnEnd, "ipv4-unicast", addPath);
    const { attributes, problems, seen } = decodePathAttributes(bytes, attributesStart, attributesEnd, ctx);
    update.attributes = attributes;
    deferNlri(update, "nlri", bytes, attributesEnd, end, "ipv4-unicast", addPath);
    checkMandatory(attributes, seen, attributesEnd < end, problems);
    if (problems.length > 0) {
      update.errorHandling = errorHandlingOf(problems);
      update.problems = problems;
    }
    return update;
  }
  const withdrawnRoutes = decodeNlri(bytes, withdrawnStart, withdrawnEnd, "ipv4-unicast", addPath);
  const { attributes, problems, seen } = decodePathAttributes(bytes, attributesStart, attributesEnd, ctx);
  const nlri = decodeNlri(bytes, attributesEnd, end, "ipv4-unicast", addPath);
  checkMandatory(attributes, seen, nlri.length > 0, problems);
  if (problems.length === 0) return { type: "update", withdrawnRoutes, attributes, nlri };
  return {
    type: "update",
    withdrawnRoutes,
    attributes,
    nlri,
    errorHandling: errorHandlingOf(problems),
    problems,
  };
}

function errorHandlingOf(problems: readonly UpdateProblem[]): "treat-as-withdraw" | "attribute-discard" {
  return problems.some((p) => p.action === "treat-as-withdraw") ? "treat-as-withdraw" : "attribute-discard";
}

/**
 * RFC 4271 §5: ORIGIN, AS_PATH and NEXT_HOP "MUST be present in every UPDATE message that contains
 * NLRI"; RFC 4760 §3 lifts NEXT_HOP for routes carried only in MP_REACH_NLRI. RFC 7606 §3.d: "If any
 * of the well-known mandatory attributes are not present in an UPDATE message, then
 * 'treat-as-withdraw' MUST be used." An attribute that was present but malformed is already reported.
 */
function checkMandatory(
  attributes: PathAttributes,
  seen: Int32Array,
  classicNlri: boolean,
  problems: UpdateProblem[],
): void {
  const mp = attributes.mpReach;
  const mpRoutes =
    mp !== undefined && (mp.family === null ? mp.nlriBytes.length > 0 : hasEntries(mp, "nlri"));
  if (!classicNlri && !mpRoutes) return;
  const required = classicNlri
    ? [AttributeCode.ORIGIN, AttributeCode.AS_PATH, AttributeCode.NEXT_HOP]
    : [AttributeCode.ORIGIN, AttributeCode.AS_PATH];
  for (const code of required) {
    if (attributeSeen(seen, code)) continue;
    const error = BgpError.missingWellKnownAttribute(code);
    problems.push({
      action: "treat-as-withdraw",
      code: ErrorCode.UPDATE_MESSAGE,
      subcode: UpdateErrorSubcode.MISSING_WELL_KNOWN_ATTRIBUTE,
      attributeCode: code,
      reason: error.message,
    });
  }
}

/** How many octets `encodeUpdate` writes for this UPDATE: the body, without the header. */
export function updateBodyLength(message: UpdateMessage, ctx: CodecContext): number {
  const addPath = ctx.addPath.includes("ipv4-unicast");
  let length = 4 + pathAttributesLength(message.attributes, ctx);
  const withdrawn = message.withdrawnRoutes;
  for (let i = 0; i < withdrawn.length; i++) length += nlriLength(withdrawn[i].prefix, addPath);
  const nlri = message.nlri;
  for (let i = 0; i < nlri.length; i++) length += nlriLength(nlri[i].prefix, addPath);
  return length;
}

/** Write the UPDATE body (everything after the header). Throws TypeError on values it cannot encode. */
export function encodeUpdate(writer: Writer, message: UpdateMessage, ctx: CodecContext): void {
  const addPath = ctx.addPath.includes("ipv4-unicast");
  const withdrawnAt = writer.reserve16();
  const withdrawn = message.withdrawnRoutes;
  for (let i = 0; i < withdrawn.length; i++) encodeNlri(writer, withdrawn[i], "ipv4-unicast", addPath);
  writer.fill16(withdrawnAt);
  const attributesAt = writer.reserve16();
  encodePathAttributes(writer, message.attributes, ctx);
  writer.fill16(attributesAt);
  const nlri = message.nlri;
  for (let i = 0; i < nlri.length; i++) encodeNlri(writer, nlri[i], "ipv4-unicast", addPath);
}
