import { canonicalAddress, isIpv4, isIpv6 } from "../wire/address.js";
import { canonicalPrefix as wirePrefix } from "../wire/prefix.js";
import { SettingsError } from "./settings.js";

/**
 * "203.0.113.1" -> "203.0.113.1/32", "2001:db8::1" -> "2001:db8::1/128": the wire layer's
 * canonicalPrefix, with a bare address taken as a host prefix and errors naming the config field.
 */
export function canonicalPrefix(where: string, text: string): string {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const v4 = isIpv4(address);
  if (!v4 && !isIpv6(address)) throw new SettingsError(`${where}: "${text}" is not an IP prefix`);
  const maxLength = v4 ? 32 : 128;
  const lengthText = slash < 0 ? String(maxLength) : text.slice(slash + 1);
  const length = Number(lengthText);
  if (!/^\d{1,3}$/.test(lengthText) || length > maxLength) {
    throw new SettingsError(`${where}: bad prefix length in "${text}"`);
  }
  try {
    return wirePrefix(`${canonicalAddress(address)}/${length}`).prefix;
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith("host bits set")) {
      throw new SettingsError(`${where}: "${text}" has bits set after /${length}`);
    }
    throw new SettingsError(`${where}: "${text}" is not an IP prefix`);
  }
}

export function checkAddress(where: string, text: string): string {
  if (!isIpv4(text) && !isIpv6(text)) throw new SettingsError(`${where}: "${text}" is not an IP address`);
  return canonicalAddress(text);
}

/** A peer's or our session address: like checkAddress, and a link-local one keeps its zone ("fe80::1%eth0"). */
export function checkSessionAddress(where: string, text: string): string {
  const zoneAt = text.indexOf("%");
  if (zoneAt < 0) return checkAddress(where, text);
  const address = checkAddress(where, text.slice(0, zoneAt));
  if (!/^fe[89ab]/.test(address)) {
    throw new SettingsError(`${where}: "${text}": a zone goes only with a link-local address (fe80::/10)`);
  }
  return `${address}${text.slice(zoneAt)}`;
}

/**
 * "HOST:PORT", "[V6]:PORT", a bare host (IPv6 without brackets included) or, with `portOnly`, a bare
 * port. The port is undefined when not given.
 */
export function splitHostPort(
  where: string,
  text: string,
  options: { portOnly?: boolean } = {},
): { host?: string; port?: number } {
  let host: string | undefined;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (options.portOnly && /^\d+$/.test(text)) {
    portText = text;
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host, portText] = text.split(":");
  } else {
    host = text; // no colon, or a bare IPv6 address
  }
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!/^\d+$/.test(portText ?? "") || port < 1 || port > 65535)) {
    throw new SettingsError(`${where}: bad port in "${text}"`);
  }
  if (host === "") throw new SettingsError(`${where}: no host in "${text}"`);
  return { ...(host === undefined ? {} : { host }), ...(port === undefined ? {} : { port }) };
}
