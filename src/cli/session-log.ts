/**
 * Session events in words an operator can act on: why a session did not come up or went down,
 * with the RFC names of NOTIFICATIONs and a hint where the cause is usually a configuration mismatch.
 * @module
 */
import type { DownReason } from "../fsm/types.js";
import { describeNotification } from "../wire/notification.js";

/** What we know of our side of a session, for the hints. */
export interface SessionSide {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly peerAs: number;
  readonly localAs: number;
  readonly localAddress?: string;
}

const ERRNO = /\b(E[A-Z]+)\b/;

function hintMismatch(side: SessionSide): string {
  const local = side.localAddress ?? "this host's address";
  return `check that the router has neighbor ${local} remote-as ${side.localAs}, and that we peer with its address ${side.peerAddress} as AS${side.peerAs}`;
}

/** "2/2 OPEN Message Error / Bad Peer AS" plus the hint for the usual OPEN errors. */
function notificationText(reason: DownReason, side: SessionSide, received: boolean): string {
  const code = reason.code ?? 0;
  const subcode = reason.subcode ?? 0;
  let text = `${code}/${subcode} ${describeNotification(code, subcode)}`;
  if (reason.shutdownMessage !== undefined && reason.shutdownMessage !== "") {
    text += `: "${reason.shutdownMessage}"`; // RFC 9003 Shutdown Communication
  }
  if (code === 2 && subcode === 2) {
    text += received
      ? ` (the router expects another AS from us: we are AS${side.localAs}; ${hintMismatch(side)})`
      : ` (we expect AS${side.peerAs}: check --peer-as)`;
  } else if (code === 2 && subcode === 3 && received) {
    text += " (the router refused our BGP identifier: check --router-id)";
  } else if (code === 2 && subcode === 6) {
    text += " (hold times disagree: check --hold-time)";
  } else if (code === 6 && (subcode === 3 || subcode === 5) && received) {
    text += ` (${hintMismatch(side)})`;
  } else if (code === 6 && subcode === 10 && !received) {
    text += ` (${reason.message})`; // our BFD session went down: say why (docs/bfd.md)
  }
  return text;
}

/** One line's worth of why a session is down. */
export function describeDown(reason: DownReason, side: SessionSide): string {
  const target = `${side.peerAddress.includes(":") ? `[${side.peerAddress}]` : side.peerAddress}:${side.peerPort}`;
  switch (reason.kind) {
    case "notification-received":
      return `peer sent NOTIFICATION ${notificationText(reason, side, true)}`;
    case "notification-sent":
      return `we sent NOTIFICATION ${notificationText(reason, side, false)}`;
    case "hold-timer-expired":
      return "hold timer expired: no KEEPALIVE from the peer in time";
    case "tcp-error":
    case "tcp-closed": {
      const errno = ERRNO.exec(reason.message)?.[1];
      if (reason.fromState === "Connect" || reason.fromState === "Active" || reason.fromState === "Idle") {
        if (errno === "ECONNREFUSED")
          return `connection to ${target} refused: nothing listens there, or the router rejects us`;
        if (errno === "ETIMEDOUT" || /timed? ?out/i.test(reason.message)) {
          return `connection to ${target} timed out: the router is unreachable or drops us (firewall?)`;
        }
        if (errno === "EHOSTUNREACH" || errno === "ENETUNREACH") return `no route to ${target} (${errno})`;
        if (errno === "EADDRNOTAVAIL") {
          return `cannot connect to ${target} from ${side.localAddress ?? "our address"}: address not on this host (check --local-address)`;
        }
        return `cannot connect to ${target}: ${reason.message}`;
      }
      if (reason.fromState === "OpenSent" || reason.fromState === "OpenConfirm") {
        return `peer closed the connection after our OPEN without a NOTIFICATION (${reason.message}): ${hintMismatch(side)}`;
      }
      return `connection lost (${reason.message})`;
    }
    case "stopped":
      return reason.message;
    case "collision":
      return `connection collision resolved (RFC 4271 §6.8): ${reason.message}`;
    default: {
      const unreachable: never = reason.kind;
      return String(unreachable);
    }
  }
}
