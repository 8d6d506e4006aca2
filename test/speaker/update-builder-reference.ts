import { HEADER_LENGTH } from "../../src/wire/constants.js";
import { familyToAfiSafi } from "../../src/wire/family.js";
import { nlriLength } from "../../src/wire/prefix.js";
import type {
  AddressFamily,
  CodecContext,
  Nlri,
  PathAttributes,
  UpdateMessage,
} from "../../src/wire/types.js";

/**
 * The reference model of UPDATE packing, as message objects: the flush's packer
 * (src/speaker/update-packer.ts) writes the same UPDATEs as bytes, and test/speaker/update-packer.test.ts
 * holds the two equal octet for octet. It lives with the tests because nothing in src/ sends its
 * messages any more.
 *
 * Packs routes into as few UPDATEs as the negotiated message size allows. Pure: it only counts
 * octets, from the RFC 4271 §4.3 layout:
 *
 *   header (19) | withdrawn length (2) | withdrawn | attributes length (2) | attributes | NLRI
 *
 * and for routes carried in MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760 §3, §4), an attribute
 * header of 4 octets (extended length is assumed, so a packed attribute may exceed 255 octets)
 * plus AFI (2), SAFI (1), next hop length (1), next hop, reserved (1) before the NLRI.
 * @module
 */

const MP_ATTRIBUTE_HEADER = 4;
const MP_UNREACH_FIXED = 2 + 1;

function withPathIds(prefixes: readonly string[], addPath: boolean): Nlri[] {
  const out = new Array<Nlri>(prefixes.length);
  for (let i = 0; i < prefixes.length; i++)
    out[i] = addPath ? { prefix: prefixes[i], pathId: 1 } : { prefix: prefixes[i] };
  return out;
}

/** Split `prefixes` into runs whose NLRI fit in `budget` octets each. */
function* chunks(prefixes: readonly string[], addPath: boolean, budget: number): Generator<string[]> {
  let run: string[] = [];
  let used = 0;
  for (const prefix of prefixes) {
    const size = nlriLength(prefix, addPath);
    if (used + size > budget && run.length > 0) {
      yield run;
      run = [];
      used = 0;
    }
    run.push(prefix);
    used += size;
  }
  if (run.length > 0) yield run;
}

export interface AnnounceGroup {
  readonly family: AddressFamily;
  /** Every attribute except the NLRI: for MP families `mpReach` must be set with an empty `nlri`. */
  readonly attributes: PathAttributes;
  /** Octets the attributes take on the wire without any NLRI (from encodingLength). */
  readonly attributesLength: number;
  readonly prefixes: readonly string[];
}

/**
 * UPDATEs announcing one group of routes that share their attributes. Routes go in the classic
 * NLRI field when `attributes.mpReach` is absent, otherwise inside MP_REACH_NLRI.
 */
export function buildAnnouncements(
  group: AnnounceGroup,
  ctx: CodecContext,
  maxMessageLength: number,
): UpdateMessage[] {
  const addPath = ctx.addPath.includes(group.family);
  const messages: UpdateMessage[] = [];
  const mpReach = group.attributes.mpReach;
  if (mpReach === undefined) {
    const budget = maxMessageLength - HEADER_LENGTH - 2 - 2 - group.attributesLength;
    for (const run of chunks(group.prefixes, addPath, budget)) {
      messages.push({
        type: "update",
        withdrawnRoutes: [],
        attributes: group.attributes,
        nlri: withPathIds(run, addPath),
      });
    }
    return messages;
  }
  if (mpReach.family === null) throw new TypeError("cannot announce routes of a family kept raw");
  // attributesLength counted MP_REACH with its 3- or 4-octet header and no NLRI; budget for 4.
  const budget = maxMessageLength - HEADER_LENGTH - 2 - 2 - group.attributesLength - 1;
  for (const run of chunks(group.prefixes, addPath, budget)) {
    messages.push({
      type: "update",
      withdrawnRoutes: [],
      attributes: { ...group.attributes, mpReach: { ...mpReach, nlri: withPathIds(run, addPath) } },
      nlri: [],
    });
  }
  return messages;
}

/** UPDATEs withdrawing `prefixes`: the classic field for IPv4 (unless `viaMp`), MP_UNREACH_NLRI otherwise. */
export function buildWithdrawals(
  family: AddressFamily,
  prefixes: readonly string[],
  ctx: CodecContext,
  maxMessageLength: number,
  viaMp = family !== "ipv4-unicast",
): UpdateMessage[] {
  const addPath = ctx.addPath.includes(family);
  const messages: UpdateMessage[] = [];
  if (!viaMp) {
    const budget = maxMessageLength - HEADER_LENGTH - 2 - 2;
    for (const run of chunks(prefixes, addPath, budget)) {
      messages.push({ type: "update", withdrawnRoutes: withPathIds(run, addPath), attributes: {}, nlri: [] });
    }
    return messages;
  }
  const { afi, safi } = familyToAfiSafi(family);
  const budget = maxMessageLength - HEADER_LENGTH - 2 - 2 - MP_ATTRIBUTE_HEADER - MP_UNREACH_FIXED;
  for (const run of chunks(prefixes, addPath, budget)) {
    messages.push({
      type: "update",
      withdrawnRoutes: [],
      attributes: { mpUnreach: { family, afi, safi, withdrawnRoutes: withPathIds(run, addPath) } },
      nlri: [],
    });
  }
  return messages;
}
