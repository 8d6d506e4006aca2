/*
 * /proc/net/tcp and /proc/net/tcp6, one socket per line (Linux net/ipv4/tcp_ipv4.c, get_tcp4_sock):
 *
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *    1: 0100007F:92F9 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 8437 ...
 *
 * - addresses: the 32-bit words of the network-order address printed with %08X as *native* integers,
 *   so on a little-endian machine 127.0.0.1 reads "0100007F"; IPv6 is four such words.
 * - ports: %04X of the host-order port, read as is.
 * - st: the TCP state (01 ESTABLISHED, 03 SYN_RECV, 0A LISTEN ...).
 * - tx_queue: write_seq - snd_una, bytes sent but not acknowledged (0 for LISTEN).
 * - rx_queue: for LISTEN, sk_ack_backlog, the accept-queue length; otherwise rcv_nxt - copied_seq,
 *   bytes received but not read by the application.
 * The backlog limit (sk_max_ack_backlog) is *not* in this file: `ss -lnt` shows it as Send-Q through
 * inet_diag. Verified on Linux 6.18: a listener with backlog 2 and 8 connecting clients shows
 * "00000000:00000003" (tx 0, accept queue 3 = backlog + 1, the kernel's "full").
 */

import { formatIpv6 } from "../wire/address.js";

export const TcpState = {
  ESTABLISHED: 0x01,
  SYN_SENT: 0x02,
  SYN_RECV: 0x03,
  FIN_WAIT1: 0x04,
  FIN_WAIT2: 0x05,
  TIME_WAIT: 0x06,
  CLOSE: 0x07,
  CLOSE_WAIT: 0x08,
  LAST_ACK: 0x09,
  LISTEN: 0x0a,
  CLOSING: 0x0b,
  NEW_SYN_RECV: 0x0c,
} as const;

const STATE_NAMES = new Map<number, string>(Object.entries(TcpState).map(([name, code]) => [code, name]));

export interface SocketRow {
  readonly family: 4 | 6;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly state: number;
  readonly stateName: string;
  /** Bytes sent and not yet acknowledged (0 for a listener). */
  readonly txQueue: number;
  /** Listener: connections waiting in the accept queue. Otherwise: bytes received and not yet read. */
  readonly rxQueue: number;
  readonly uid: number;
  readonly inode: number;
}

/**
 * Parses the text of /proc/net/tcp (family 4) or /proc/net/tcp6 (family 6). Pure: the endianness of
 * the machine that wrote the text is a parameter. Lines that do not parse are skipped, never thrown on:
 * a health check must judge what it can read.
 */
export function parseProcNetTcp(text: string, family: 4 | 6, littleEndian = true): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    // sl, local, remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode
    if (fields.length < 10 || !fields[0].endsWith(":")) continue;
    const local = parseEndpoint(fields[1], family, littleEndian);
    const remote = parseEndpoint(fields[2], family, littleEndian);
    const queues = fields[4].split(":");
    const state = Number.parseInt(fields[3], 16);
    if (local === undefined || remote === undefined || queues.length !== 2 || Number.isNaN(state)) continue;
    const txQueue = Number.parseInt(queues[0], 16);
    const rxQueue = Number.parseInt(queues[1], 16);
    if (Number.isNaN(txQueue) || Number.isNaN(rxQueue)) continue;
    rows.push({
      family,
      localAddress: local.address,
      localPort: local.port,
      remoteAddress: remote.address,
      remotePort: remote.port,
      state,
      stateName: STATE_NAMES.get(state) ?? `0x${state.toString(16)}`,
      txQueue,
      rxQueue,
      uid: Number.parseInt(fields[7], 10),
      inode: Number.parseInt(fields[9], 10),
    });
  }
  return rows;
}

function parseEndpoint(
  text: string,
  family: 4 | 6,
  littleEndian: boolean,
): { address: string; port: number } | undefined {
  const [hexAddress, hexPort] = text.split(":");
  const words = family === 4 ? 1 : 4;
  if (hexAddress === undefined || hexPort === undefined || hexAddress.length !== 8 * words) return undefined;
  if (!/^[0-9A-Fa-f]+$/.test(hexAddress) || !/^[0-9A-Fa-f]{4}$/.test(hexPort)) return undefined;
  const bytes = new Uint8Array(4 * words);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words; i++) {
    view.setUint32(4 * i, Number.parseInt(hexAddress.slice(8 * i, 8 * i + 8), 16), littleEndian);
  }
  return { address: family === 4 ? bytes.join(".") : formatIpv6(bytes), port: Number.parseInt(hexPort, 16) };
}
