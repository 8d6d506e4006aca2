import { describe, expect, it } from "vitest";
import {
  encodeInt,
  encodeSockaddr,
  encodeTcpMd5Sig,
  resolveTransportSecurity,
  TCP_MD5SIG_SIZE,
} from "../../src/session/socket-options.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("struct sockaddr_in / sockaddr_in6", () => {
  it("sockaddr_in: family in host order, port in network order, address, eight zero octets", () => {
    expect(hex(encodeSockaddr("198.51.100.1", 179, 4))).toBe(
      [
        "0200", // sin_family AF_INET = 2, little-endian (host order)
        "00b3", // sin_port 179, big-endian
        "c6336401", // sin_addr 198.51.100.1
        "0000000000000000", // sin_zero
      ].join(""),
    );
  });

  it("sockaddr_in6: family, port, flowinfo, address, scope id", () => {
    expect(hex(encodeSockaddr("2001:db8:100::1", 179, 6, undefined, 3))).toBe(
      [
        "0a00", // sin6_family AF_INET6 = 10
        "00b3", // sin6_port 179
        "00000000", // sin6_flowinfo
        "20010db8010000000000000000000001", // sin6_addr
        "03000000", // sin6_scope_id 3, host order
      ].join(""),
    );
  });

  it("an IPv4 peer on an IPv6 socket becomes ::ffff:a.b.c.d; a zone is dropped from the address", () => {
    expect(hex(encodeSockaddr("127.0.85.2", 0, 6))).toBe(
      `0a00000000000000${"00000000000000000000ffff7f005502"}00000000`,
    );
    expect(hex(encodeSockaddr("fe80::1%eth0", 0, 6)).slice(16, 48)).toBe("fe800000000000000000000000000001");
  });

  it("refuses an IPv6 address for an IPv4 socket", () => {
    expect(() => encodeSockaddr("2001:db8::1", 0, 4)).toThrow(/not an IPv4 address/);
  });
});

describe("struct tcp_md5sig", () => {
  it("IPv4 peer, key 'secret': 216 octets, keylen at 130, key at 136", () => {
    const b = encodeTcpMd5Sig("198.51.100.1", new TextEncoder().encode("secret"), 4);
    expect(b.length).toBe(TCP_MD5SIG_SIZE);
    expect(hex(b.subarray(0, 16))).toBe("02000000c63364010000000000000000"); // tcpm_addr (port 0)
    expect(hex(b.subarray(16, 128))).toBe("00".repeat(112)); // rest of sockaddr_storage
    expect(b[128]).toBe(0); // tcpm_flags
    expect(b[129]).toBe(0); // tcpm_prefixlen
    expect(hex(b.subarray(130, 132))).toBe("0600"); // tcpm_keylen 6, host order
    expect(hex(b.subarray(132, 136))).toBe("00000000"); // tcpm_ifindex
    expect(hex(b.subarray(136, 142))).toBe(hex(new TextEncoder().encode("secret"))); // tcpm_key
    expect(hex(b.subarray(142))).toBe("00".repeat(74));
  });

  it("IPv6 peer; a null key (delete) leaves keylen 0", () => {
    const b = encodeTcpMd5Sig("2001:db8:100::2", null, 6);
    expect(hex(b.subarray(0, 28))).toBe(`0a00000000000000${"20010db8010000000000000000000002"}00000000`);
    expect(hex(b.subarray(128))).toBe("00".repeat(88));
  });

  it("a prefix (TCP_MD5SIG_EXT): flag TCP_MD5SIG_FLAG_PREFIX and the length", () => {
    const b = encodeTcpMd5Sig("0.0.0.0", new Uint8Array([1, 2]), 6, 0);
    expect(hex(b.subarray(0, 28))).toBe(`0a00000000000000${"00000000000000000000ffff00000000"}00000000`);
    expect([b[128], b[129], b[130], b[131]]).toEqual([1, 0, 2, 0]);
  });

  it("an int option value is four octets in host order", () => {
    expect(hex(encodeInt(255))).toBe("ff000000");
    expect(hex(encodeInt(-1))).toBe("ffffffff");
  });
});

describe("resolveTransportSecurity", () => {
  it("GTSM: TTL 255 out, 255 - hops + 1 in; multihop sets only the outgoing TTL", () => {
    expect(resolveTransportSecurity({ ttlSecurity: true }, "p")).toEqual({
      outgoingTtl: 255,
      minIncomingTtl: 255,
    });
    expect(resolveTransportSecurity({ ttlSecurity: { hops: 2 } }, "p")).toEqual({
      outgoingTtl: 255,
      minIncomingTtl: 254,
    });
    expect(resolveTransportSecurity({ multihop: 2 }, "p")).toEqual({ outgoingTtl: 2 });
    expect(resolveTransportSecurity({ ttlSecurity: false }, "p")).toBeUndefined();
    expect(resolveTransportSecurity({}, "p")).toBeUndefined();
  });

  it("the password becomes its UTF-8 octets", () => {
    expect([...(resolveTransportSecurity({ password: "é1" }, "p")?.md5Key ?? [])]).toEqual([
      0xc3, 0xa9, 0x31,
    ]);
  });

  it("bad values throw naming the option and its range", () => {
    expect(() => resolveTransportSecurity({ password: "" }, "p")).toThrow(
      /password for peer p is 0 octets: expected 1-80/,
    );
    expect(() => resolveTransportSecurity({ password: "x".repeat(81) }, "p")).toThrow(/expected 1-80/);
    expect(() => resolveTransportSecurity({ ttlSecurity: { hops: 0 } }, "p")).toThrow(
      /ttlSecurity.hops 0 .*1-254/,
    );
    expect(() => resolveTransportSecurity({ multihop: 256 }, "p")).toThrow(/multihop 256 .*1-255/);
    expect(() => resolveTransportSecurity({ multihop: 2, ttlSecurity: true }, "p")).toThrow(
      /exclude each other/,
    );
  });
});
