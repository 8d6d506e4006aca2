/**
 * TCP-MD5 (RFC 2385), GTSM (RFC 5082) and the outgoing TTL: Linux socket options that Node core
 * cannot set. They are reached through koffi, an optional dependency loaded on first use, so peers
 * without these options never touch it. The structs are built here as bytes; docs/sessions.md lists
 * each layout and constant with its kernel header.
 * @module
 */
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { parseIpv4Into, parseIpv6Into } from "../wire/address.js";

// <linux/socket.h>, <bits/socket_type.h>
export const AF_INET = 2;
export const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
// <netinet/in.h>
export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_IPV6 = 41;
// <linux/in.h>
export const IP_TTL = 2;
export const IP_MINTTL = 21;
// <linux/in6.h>
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MINHOPCOUNT = 73;
// <linux/tcp.h>
export const TCP_MD5SIG = 14;
/** TCP_MD5SIG with tcpm_flags/tcpm_prefixlen honoured (Linux 4.13). */
export const TCP_MD5SIG_EXT = 32;
export const TCP_MD5SIG_FLAG_PREFIX = 1;
export const TCP_MD5SIG_MAXKEYLEN = 80;
/** sizeof(struct tcp_md5sig): a 128-octet sockaddr_storage, flags, prefixlen, keylen, ifindex, key. */
export const TCP_MD5SIG_SIZE = 216;

/**
 * What a peer asks of its sockets, validated (see resolveTransportSecurity).
 * @category Sessions
 */
export interface TransportSecurity {
  /** TCP-MD5 key as octets (UTF-8 of the password), 1-80 of them. */
  readonly md5Key?: Uint8Array;
  /** TTL (hop limit) we send with: 255 with GTSM, the multihop count, or the system default when absent. */
  readonly outgoingTtl?: number;
  /** Lowest TTL accepted from the peer (GTSM: 256 - hops); absent = any. */
  readonly minIncomingTtl?: number;
}

/** The addPeer options this module serves, as the user wrote them. */
export interface TransportSecurityOptions {
  readonly password?: string | undefined;
  readonly ttlSecurity?: boolean | { readonly hops: number } | undefined;
  readonly multihop?: number | undefined;
}

/**
 * Validates the options and turns them into socket settings; undefined when none is set.
 * Throws TypeError naming the option and its accepted range.
 */
export function resolveTransportSecurity(
  options: TransportSecurityOptions,
  peer: string,
): TransportSecurity | undefined {
  const { password, ttlSecurity, multihop } = options;
  let md5Key: Uint8Array | undefined;
  if (password !== undefined) {
    if (typeof password !== "string") throw new TypeError(`password for peer ${peer} must be a string`);
    md5Key = new TextEncoder().encode(password);
    if (md5Key.length < 1 || md5Key.length > TCP_MD5SIG_MAXKEYLEN) {
      throw new TypeError(
        `password for peer ${peer} is ${md5Key.length} octets: expected 1-${TCP_MD5SIG_MAXKEYLEN} (TCP_MD5SIG_MAXKEYLEN)`,
      );
    }
  }
  let hops: number | undefined;
  if (ttlSecurity !== undefined && ttlSecurity !== false) {
    hops = ttlSecurity === true ? 1 : ttlSecurity.hops;
    if (!Number.isInteger(hops) || hops < 1 || hops > 254) {
      throw new TypeError(`ttlSecurity.hops ${hops} for peer ${peer}: expected an integer 1-254`);
    }
  }
  if (multihop !== undefined) {
    if (!Number.isInteger(multihop) || multihop < 1 || multihop > 255) {
      throw new TypeError(
        `multihop ${multihop} for peer ${peer}: expected an integer 1-255 (the outgoing TTL)`,
      );
    }
    if (hops !== undefined) {
      throw new TypeError(
        `peer ${peer}: multihop and ttlSecurity exclude each other (GTSM sends with TTL 255; use ttlSecurity: { hops } for a peer several hops away)`,
      );
    }
  }
  if (md5Key === undefined && hops === undefined && multihop === undefined) return undefined;
  return {
    ...(md5Key === undefined ? {} : { md5Key }),
    // RFC 5082 §3: "the TTL ... set to 255"; accept 255 - hops + 1 and above.
    ...(hops === undefined ? {} : { outgoingTtl: 255, minIncomingTtl: 256 - hops }),
    ...(multihop === undefined ? {} : { outgoingTtl: multihop }),
  };
}

/** The address without its zone ("fe80::1%eth0" -> "fe80::1"). */
function withoutZone(address: string): string {
  const i = address.indexOf("%");
  return i < 0 ? address : address.slice(0, i);
}

/**
 * struct sockaddr_in (16 octets): sin_family (host order), sin_port (network order), sin_addr, zero[8].
 * struct sockaddr_in6 (28 octets): sin6_family, sin6_port, sin6_flowinfo, sin6_addr[16], sin6_scope_id.
 * An IPv4 address for an IPv6 socket becomes ::ffff:a.b.c.d (the kernel keys it as IPv4).
 */
export function encodeSockaddr(
  address: string,
  port: number,
  socketFamily: 4 | 6,
  out = new Uint8Array(socketFamily === 4 ? 16 : 28),
  scopeId = 0,
): Uint8Array {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const bare = withoutZone(address);
  const v4 = isIP(bare) === 4;
  if (socketFamily === 4) {
    if (!v4) throw new TypeError(`${address} is not an IPv4 address for an IPv4 socket`);
    view.setUint16(0, AF_INET, true);
    view.setUint16(2, port, false);
    parseIpv4Into(bare, out, 4);
    return out;
  }
  view.setUint16(0, AF_INET6, true);
  view.setUint16(2, port, false);
  view.setUint32(4, 0, false);
  if (v4) {
    out[18] = 0xff;
    out[19] = 0xff;
    parseIpv4Into(bare, out, 20);
  } else if (!parseIpv6Into(bare, out, 8)) {
    throw new TypeError(`${address} is not an IPv6 address`);
  }
  view.setUint32(24, scopeId, true);
  return out;
}

/**
 * struct tcp_md5sig (<linux/tcp.h>, 216 octets):
 *   struct __kernel_sockaddr_storage tcpm_addr;  // 0..127: the peer (port ignored)
 *   __u8  tcpm_flags;                             // 128: 0 (no prefix, no ifindex)
 *   __u8  tcpm_prefixlen;                         // 129: 0 (with TCP_MD5SIG, the whole address)
 *   __u16 tcpm_keylen;                            // 130: host order; 0 deletes the key
 *   int   tcpm_ifindex;                           // 132: 0
 *   __u8  tcpm_key[TCP_MD5SIG_MAXKEYLEN];         // 136..215
 */
export function encodeTcpMd5Sig(
  address: string,
  key: Uint8Array | null,
  socketFamily: 4 | 6,
  prefixLength?: number,
): Uint8Array {
  const out = new Uint8Array(TCP_MD5SIG_SIZE);
  encodeSockaddr(address, 0, socketFamily, out.subarray(0, socketFamily === 4 ? 16 : 28));
  if (prefixLength !== undefined) {
    // With TCP_MD5SIG_EXT only; for an IPv4-mapped address the length counts IPv4 bits.
    out[128] = TCP_MD5SIG_FLAG_PREFIX;
    out[129] = prefixLength;
  }
  if (key !== null) {
    if (key.length < 1 || key.length > TCP_MD5SIG_MAXKEYLEN) throw new RangeError(`key length ${key.length}`);
    new DataView(out.buffer).setUint16(130, key.length, true);
    out.set(key, 136);
  }
  return out;
}

/**
 * A key for every address of a family (TCP_MD5SIG_EXT, prefix length 0): unsigned SYNs from
 * anyone without a more specific key are then dropped by the kernel. Longest prefix wins, so the
 * peers' own keys still apply to them.
 */
export function setWildcardMd5Key(fd: number, socketFamily: 4 | 6, key: Uint8Array | null): void {
  const calls = socketCalls();
  const any = socketFamily === 4 ? ["0.0.0.0"] : ["0.0.0.0", "::"];
  for (const address of any) {
    set(calls, fd, IPPROTO_TCP, TCP_MD5SIG_EXT, encodeTcpMd5Sig(address, key, socketFamily, 0));
  }
}

/** A C int in host order, as setsockopt takes IP_TTL and friends. */
export function encodeInt(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  return out;
}

/** The libc calls this module makes. */
export interface SocketCalls {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, length: number): number;
  close(fd: number): number;
  errno(): number;
}

interface Koffi {
  load(path: string): { func(definition: string): (...args: unknown[]) => unknown };
  errno(): number;
}

let loaded: SocketCalls | null = null;

/**
 * The libc calls through koffi, loaded synchronously on first use (addPeer is synchronous).
 * Throws an Error that says what is missing: the platform or the package.
 */
export function socketCalls(): SocketCalls {
  if (loaded !== null) return loaded;
  if (process.platform !== "linux") {
    throw new Error(
      `TCP-MD5 (password), GTSM (ttlSecurity) and multihop need Linux socket options (TCP_MD5SIG, IP_MINTTL, IP_TTL); this platform (${process.platform}) lacks them`,
    );
  }
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)("koffi") as Koffi;
  } catch (error) {
    throw new Error(
      "password, ttlSecurity and multihop need the optional package koffi to set socket options: install it with `npm install koffi`",
      { cause: error },
    );
  }
  try {
    const libc = koffi.load("libc.so.6");
    const socket = libc.func("int socket(int domain, int type, int protocol)");
    const setsockopt = libc.func(
      "int setsockopt(int fd, int level, int optname, const void *optval, uint32_t optlen)",
    );
    const close = libc.func("int close(int fd)");
    loaded = {
      socket: (d, t, p) => socket(d, t, p) as number,
      setsockopt: (fd, level, name, value, length) => setsockopt(fd, level, name, value, length) as number,
      close: (fd) => close(fd) as number,
      errno: () => koffi.errno(),
    };
  } catch (error) {
    throw new Error("koffi is installed but could not load libc.so.6 (a glibc or musl Linux is needed)", {
      cause: error,
    });
  }
  return loaded;
}

const OPTION_NAMES: Record<string, string> = {
  [`${IPPROTO_TCP}/${TCP_MD5SIG}`]: "TCP_MD5SIG",
  [`${IPPROTO_TCP}/${TCP_MD5SIG_EXT}`]: "TCP_MD5SIG_EXT",
  [`${IPPROTO_IP}/${IP_TTL}`]: "IP_TTL",
  [`${IPPROTO_IP}/${IP_MINTTL}`]: "IP_MINTTL",
  [`${IPPROTO_IPV6}/${IPV6_UNICAST_HOPS}`]: "IPV6_UNICAST_HOPS",
  [`${IPPROTO_IPV6}/${IPV6_MINHOPCOUNT}`]: "IPV6_MINHOPCOUNT",
};

function set(calls: SocketCalls, fd: number, level: number, name: number, value: Uint8Array): void {
  if (calls.setsockopt(fd, level, name, value, value.length) === 0) return;
  const errno = calls.errno();
  throw new Error(
    `setsockopt(${OPTION_NAMES[`${level}/${name}`] ?? `${level}/${name}`}) failed: errno ${errno}`,
  );
}

/** Sets or deletes (key null) the TCP-MD5 key for `peer` on a socket of `socketFamily`. */
export function setMd5Key(fd: number, socketFamily: 4 | 6, peer: string, key: Uint8Array | null): void {
  set(socketCalls(), fd, IPPROTO_TCP, TCP_MD5SIG, encodeTcpMd5Sig(peer, key, socketFamily));
}

/** Outgoing TTL / hop limit; an IPv6 socket also carries IPv4-mapped traffic, so it gets both. */
export function setOutgoingTtl(fd: number, socketFamily: 4 | 6, ttl: number): void {
  const calls = socketCalls();
  const value = encodeInt(ttl);
  set(calls, fd, IPPROTO_IP, IP_TTL, value);
  if (socketFamily === 6) set(calls, fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, value);
}

/** GTSM: segments arriving with a lower TTL / hop limit are dropped by the kernel (0 = off). */
export function setMinIncomingTtl(fd: number, socketFamily: 4 | 6, ttl: number): void {
  const calls = socketCalls();
  const value = encodeInt(ttl);
  set(calls, fd, IPPROTO_IP, IP_MINTTL, value);
  if (socketFamily === 6) set(calls, fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, value);
}

/** Everything `security` asks for, on a socket to or from `peer`. */
export function applyTransportSecurity(
  fd: number,
  socketFamily: 4 | 6,
  peer: string,
  security: TransportSecurity,
  options: { md5: boolean },
): void {
  if (options.md5 && security.md5Key !== undefined) setMd5Key(fd, socketFamily, peer, security.md5Key);
  if (security.outgoingTtl !== undefined) setOutgoingTtl(fd, socketFamily, security.outgoingTtl);
  if (security.minIncomingTtl !== undefined) setMinIncomingTtl(fd, socketFamily, security.minIncomingTtl);
}

/**
 * A fresh non-blocking TCP socket for connecting to `peer`, with `security` applied before
 * connect() (the MD5 key must be in place for the SYN). The caller owns the fd: hand it to
 * `new net.Socket({ fd })`, or close it with closeFd on failure.
 */
export function createSecuredSocket(peer: string, security: TransportSecurity): number {
  const calls = socketCalls();
  const family: 4 | 6 = isIP(withoutZone(peer)) === 4 ? 4 : 6;
  const fd = calls.socket(family === 4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`socket() failed: errno ${calls.errno()}`);
  try {
    applyTransportSecurity(fd, family, peer, security, { md5: true });
  } catch (error) {
    calls.close(fd);
    throw error;
  }
  return fd;
}

export function closeFd(fd: number): void {
  socketCalls().close(fd);
}

/** The OS file descriptor behind a Node socket or server (libuv handles expose it on Unix). */
export function handleFd(object: unknown): number {
  const handle = (object as { _handle?: { fd?: unknown } } | null)?._handle;
  const fd = handle?.fd;
  if (typeof fd !== "number" || fd < 0) throw new Error("no file descriptor behind this socket");
  return fd;
}
