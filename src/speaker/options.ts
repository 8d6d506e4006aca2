import { SESSION_DEFAULTS } from "../session/types.js";
import { canonicalAddress, isIpv4 } from "../wire/address.js";
import { ADDRESS_FAMILIES } from "../wire/family.js";
import type { AddressFamily } from "../wire/types.js";
import type { PeerOptions, SpeakerOptions } from "./types.js";

/**
 * Validation of every option at the call that takes it (`new BgpSpeaker`, `addPeer`), so a bad
 * value throws there, naming the option and the accepted range, instead of surfacing later in a
 * timer or socket callback. Unknown keys are refused: a misspelt option is a bug, not a default.
 *
 * The tables below are typed `Record<keyof Options, Check>`: an option added to SpeakerOptions or
 * PeerOptions does not compile until it has a check here.
 * @module
 */

type Check = (where: string, value: unknown) => void;

/** A plain object (not an array, not null), or throw TypeError. */
export function checkObject(where: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: expected an object, got ${show(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Every key of `value` is one of `known`; the error lists them. */
export function rejectUnknownKeys(where: string, value: object, known: object): void {
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(known, key)) {
      throw new TypeError(
        `${where}: unknown option ${JSON.stringify(key)} (known: ${Object.keys(known).join(", ")})`,
      );
    }
  }
}

export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

function integer(min: number, max: number, what: string): Check {
  return (where, value) => {
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new TypeError(`${where}: expected ${what}, an integer ${min}-${max}, got ${show(value)}`);
    }
    if (value < min || value > max) {
      throw new RangeError(`${where}: expected ${what}, an integer ${min}-${max}, got ${value}`);
    }
  };
}

function seconds(min: number, max: number): Check {
  return (where, value) => {
    if (typeof value !== "number" || Number.isNaN(value)) {
      throw new TypeError(`${where}: expected seconds ${min}-${max}, got ${show(value)}`);
    }
    if (!(value >= min && value <= max)) {
      throw new RangeError(`${where}: expected seconds ${min}-${max}, got ${value}`);
    }
  };
}

const boolean: Check = (where, value) => {
  if (typeof value !== "boolean") throw new TypeError(`${where}: expected true or false, got ${show(value)}`);
};

const asn = integer(1, 0xffffffff, "an AS number");

/** RFC 4271 §4.2: "the Hold Time MUST be either zero or at least three seconds". */
const holdTime: Check = (where, value) => {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${where}: expected 0 or an integer 3-65535 (seconds), got ${show(value)}`);
  }
  if (value < 0 || value > 65535 || value === 1 || value === 2) {
    throw new RangeError(`${where}: expected 0 or an integer 3-65535 (seconds), got ${value}`);
  }
};

/** At least a second: 0 would retry a dead peer as fast as the kernel refuses. */
const connectRetry = seconds(1, 65535);

/** RFC 9687 Send Hold Time; fractions are allowed (tests use small values). */
const sendHoldTime = seconds(0.1, 65535);

const function_: Check = (where, value) => {
  if (typeof value !== "function") throw new TypeError(`${where}: expected a function, got ${show(value)}`);
};

const clock: Check = (where, value) => {
  const o = checkObject(where, value);
  for (const name of ["now", "setTimeout", "clearTimeout"]) function_(`${where}.${name}`, o[name]);
};

function family(where: string, value: unknown): AddressFamily {
  if (typeof value !== "string" || !(ADDRESS_FAMILIES as readonly string[]).includes(value)) {
    throw new TypeError(`${where}: expected one of ${ADDRESS_FAMILIES.join(", ")}, got ${show(value)}`);
  }
  return value as AddressFamily;
}

const families: Check = (where, value) => {
  if (!Array.isArray(value))
    throw new TypeError(`${where}: expected an array of families, got ${show(value)}`);
  value.forEach((f, i) => {
    family(`${where}[${i}]`, f);
    if (value.indexOf(f) !== i) throw new TypeError(`${where}: ${f} is listed twice`);
  });
};

/**
 * A unicast address: not unspecified, multicast or limited broadcast. Returns the canonical text.
 * Used for next hops, local addresses and peer addresses.
 */
export function unicastAddress(where: string, value: unknown): string {
  if (typeof value !== "string") throw new TypeError(`${where}: expected an IP address, got ${show(value)}`);
  let address: string;
  try {
    address = canonicalAddress(value);
  } catch {
    throw new TypeError(`${where}: expected an IPv4 or IPv6 address, got ${show(value)}`);
  }
  const why = notUnicast(address);
  if (why !== null) throw new TypeError(`${where}: expected a unicast address, got ${address} (${why})`);
  return address;
}

/** Why `address` (canonical) cannot be a unicast host address, or null when it can. */
export function notUnicast(address: string): string | null {
  if (isIpv4(address)) {
    if (address === "0.0.0.0") return "unspecified";
    if (address === "255.255.255.255") return "broadcast";
    const first = Number(address.slice(0, address.indexOf(".")));
    if (first >= 224 && first <= 239) return "multicast";
    return null;
  }
  if (address === "::") return "unspecified";
  if (address.startsWith("ff")) return "multicast";
  return null;
}

/** fe80::/10 (canonical text). */
function linkLocal(address: string): boolean {
  return /^fe[89ab]/.test(address);
}

/** A peer's (or our local) address: unicast, and a link-local one may carry its zone ("fe80::1%eth0"). */
const peerAddress: Check = (where, value) => {
  if (typeof value !== "string") throw new TypeError(`${where}: expected an IP address, got ${show(value)}`);
  const zoneAt = value.indexOf("%");
  unicastAddress(where, zoneAt < 0 ? value : value.slice(0, zoneAt));
};

const SPEAKER_CHECKS: Record<keyof SpeakerOptions, Check> = {
  asn,
  routerId: (where, value) => {
    if (typeof value !== "string" || !isIpv4(value) || canonicalAddress(value) === "0.0.0.0") {
      throw new TypeError(`${where}: expected a non-zero dotted quad, got ${show(value)}`);
    }
  },
  listen: (where, value) => listenCheck(where, value),
  // BFD's own ranges are checked by SpeakerBfd in the constructor.
  bfdListen: (where, value) =>
    rejectUnknownKeys(where, checkObject(where, value), { port: true, host: true }),
  holdTime,
  connectRetry,
  sendHoldTime,
  clock,
  random: function_,
};

function listenCheck(where: string, value: unknown): void {
  if (value === false) return;
  const o = checkObject(where, value);
  rejectUnknownKeys(where, o, { port: true, host: true });
  if (o.port !== undefined) integer(0, 65535, "a TCP port (0: any free one)")(`${where}.port`, o.port);
  if (o.host !== undefined) {
    if (typeof o.host !== "string") throw new TypeError(`${where}.host: expected an IP address`);
    try {
      canonicalAddress(o.host);
    } catch {
      throw new TypeError(`${where}.host: expected an IPv4 or IPv6 address, got ${show(o.host)}`);
    }
  }
}

const PEER_CHECKS: Record<keyof PeerOptions, Check> = {
  address: peerAddress,
  asn,
  port: integer(1, 65535, "a TCP port"),
  localAddress: peerAddress,
  passive: boolean,
  families,
  holdTime,
  connectRetry,
  sendHoldTime,
  name: (where, value) => {
    if (typeof value !== "string" || value === "") {
      throw new TypeError(`${where}: expected a non-empty string, got ${show(value)}`);
    }
  },
  maxPrefixes: integer(1, 0xffffffff, "a route count"),
  allowAsIn: integer(0, 255, "a count"),
  nextHop: (where, value) => {
    const o = checkObject(where, value);
    rejectUnknownKeys(where, o, { ipv4: true, ipv6: true, ipv6LinkLocal: true });
    if (o.ipv4 !== undefined && !isIpv4(unicastAddress(`${where}.ipv4`, o.ipv4))) {
      throw new TypeError(`${where}.ipv4: expected an IPv4 address, got ${show(o.ipv4)}`);
    }
    if (o.ipv6 !== undefined && isIpv4(unicastAddress(`${where}.ipv6`, o.ipv6))) {
      throw new TypeError(`${where}.ipv6: expected an IPv6 address, got ${show(o.ipv6)}`);
    }
    if (
      o.ipv6LinkLocal !== undefined &&
      !linkLocal(unicastAddress(`${where}.ipv6LinkLocal`, o.ipv6LinkLocal))
    ) {
      throw new TypeError(
        `${where}.ipv6LinkLocal: expected an IPv6 link-local address (fe80::/10), got ${show(o.ipv6LinkLocal)}`,
      );
    }
  },
  // TCP-MD5 and TTL options: their ranges are checked by resolveTransportSecurity, at the same call.
  password: (where, value) => {
    if (typeof value !== "string") throw new TypeError(`${where}: expected a string of 1-80 octets`);
  },
  ttlSecurity: (where, value) => {
    if (typeof value === "boolean") return;
    const o = checkObject(where, value);
    rejectUnknownKeys(where, o, { hops: true });
    integer(1, 254, "a hop count")(`${where}.hops`, o.hops);
  },
  multihop: integer(1, 255, "a TTL"),
  // BFD's ranges are checked by resolveBfdOptions, at the same call, before anything is added.
  bfd: (where, value) => {
    if (value === true) return;
    const o = checkObject(where, value);
    rejectUnknownKeys(where, o, { interval: true, multiplier: true, auth: true, port: true });
  },
  addPath: (where, value) => {
    if (!Array.isArray(value)) throw new TypeError(`${where}: expected an array, got ${show(value)}`);
    value.forEach((entry, i) => {
      const at = `${where}[${i}]`;
      const o = checkObject(at, entry);
      rejectUnknownKeys(at, o, { family: true, send: true, receive: true });
      family(`${at}.family`, o.family);
      boolean(`${at}.send`, o.send);
      boolean(`${at}.receive`, o.receive);
    });
  },
  delayOpen: seconds(0, 240),
  requiredFamilies: families,
  extendedNextHop: boolean,
  extendedMessage: boolean,
  gracefulRestart: (where, value) => {
    if (value === false) return;
    const o = checkObject(where, value);
    rejectUnknownKeys(where, o, { restartTimeSec: true });
    // RFC 4724 §3: Restart Time is 12 bits.
    integer(0, 4095, "seconds")(`${where}.restartTimeSec`, o.restartTimeSec);
  },
};

function checkAll(where: string, options: unknown, checks: Record<string, Check>): Record<string, unknown> {
  const o = checkObject(where, options);
  rejectUnknownKeys(where, o, checks);
  for (const [key, check] of Object.entries(checks)) {
    const value = o[key];
    if (value !== undefined) check(`${where}: ${key}`, value);
  }
  return o;
}

/** Throws TypeError/RangeError naming the first bad option of `new BgpSpeaker(options)`. */
export function checkSpeakerOptions(options: unknown): asserts options is SpeakerOptions {
  const o = checkAll("BgpSpeaker", options, SPEAKER_CHECKS);
  for (const key of ["asn", "routerId"]) {
    if (o[key] === undefined) throw new TypeError(`BgpSpeaker: ${key} is required`);
  }
}

/** Throws TypeError/RangeError naming the first bad option of `addPeer(options)`. */
export function checkPeerOptions(options: unknown): asserts options is PeerOptions {
  const o = checkAll("addPeer", options, PEER_CHECKS);
  for (const key of ["address", "asn"]) {
    if (o[key] === undefined) throw new TypeError(`addPeer: ${key} is required`);
  }
  const text = o.address as string;
  const address = canonicalAddress(text.includes("%") ? text.slice(0, text.indexOf("%")) : text);
  if (o.localAddress !== undefined && isIpv4(o.localAddress as string) !== isIpv4(address)) {
    throw new TypeError(
      `addPeer: localAddress ${show(o.localAddress)} is not of the same family as address ${address}`,
    );
  }
  const offered = (o.families as AddressFamily[] | undefined) ?? SESSION_DEFAULTS.families;
  for (const f of (o.requiredFamilies as AddressFamily[] | undefined) ?? []) {
    if (!offered.includes(f)) {
      throw new TypeError(`addPeer: requiredFamilies lists ${f}, which families does not offer`);
    }
  }
  if (o.families !== undefined && offered.length === 0) {
    throw new RangeError("addPeer: families: expected at least one family");
  }
}
