/**
 * bgp-speaker: a BGP-4 speaker library. Announce and withdraw prefixes to routers, receive their
 * routes, gate announcements on health checks, and run BFD beside the sessions.
 *
 * Every public name is listed in `src/index.ts` by hand, grouped by layer from the top down:
 *
 * - **Speaker**: {@link BgpSpeaker} with {@link SpeakerOptions}, {@link PeerOptions} and
 *   {@link SpeakerEvents}; {@link PeerStatus} from `peerStatus()`.
 * - **Health**: checks ({@link checkTcp}, {@link checkHttp}, {@link checkCommand},
 *   {@link checkSocketTable}), the rise/fall {@link HealthGate}, the {@link HealthMonitor} that runs
 *   them, the {@link HealthGatedAnnouncer} that turns its states into announcements, and
 *   {@link installExitHandler}.
 * - **Sessions**, for bringing your own peer handling: {@link BgpSession} and {@link BgpListener}.
 * - **State machine**, for bringing your own transport: {@link initialSnapshot} and {@link step}.
 * - **Wire codec**: {@link decodeMessage}, {@link encodeMessage}, {@link encodingLength},
 *   {@link MessageFramer}, {@link BgpError}, the {@link BgpMessage} model and the code tables
 *   ({@link ErrorCode}, {@link CeaseSubcode} …).
 * - **BFD**: {@link BfdSession}, {@link BfdTransport}, {@link BfdMachine}, {@link encodeControl} and
 *   {@link decodeControl}.
 *
 * Anything not listed is internal and may change without notice; `test/api/exports.test.ts` pins
 * the list, so a change to it is deliberate. The Prometheus registry and the status server live
 * under the `bgp-speaker/metrics` subpath.
 * @packageDocumentation
 */

// ─── Speaker: peers, announcements, received routes, events ─────────────────────────────────────

// BFD beside a BGP session: the per-peer option and its status.
export type { BfdPeerOptions, BfdPeerStatus } from "./speaker/bfd.js";
// One peer's state and counters, from `peerStatus()`.
export type { PeerStatus } from "./speaker/peer.js";
// A route a peer sent, as held in its Adj-RIB-In.
export type { ReceivedRoute } from "./speaker/prefix-table.js";
// What `announce` takes and which peers it goes to.
export type { AnnounceAttributes, PeerSelector, RouteAttributes } from "./speaker/route.js";
// The speaker itself: peers, `announce`/`withdraw`, events, `peerStatus()`, `close()`.
export { BgpSpeaker, type SpeakerLifecycle } from "./speaker/speaker.js";
// Options for `new BgpSpeaker` and `addPeer`, and the events the speaker emits.
export type {
  Announcement,
  BfdDownEvent,
  BfdUpEvent,
  DownEvent,
  EndOfRibEvent,
  EstablishedEvent,
  PeerOptions,
  RibEntry,
  RouteEvent,
  RouteSkippedEvent,
  SpeakerEventItem,
  SpeakerEvents,
  SpeakerOptions,
  StateEvent,
} from "./speaker/types.js";

// ─── Health: checks, the rise/fall gate, the monitor, the announcer ─────────────────────────────

// Announces or withdraws prefixes as the gate opens and closes.
export {
  type AnnouncerAction,
  type GatedPrefixes,
  type GateSource,
  HealthGatedAnnouncer,
  type HealthGatedAnnouncerEvents,
  type HealthGatedAnnouncerOptions,
  type PrefixAction,
  type PrefixPolicy,
  type RouteSpeaker,
} from "./health/announcer.js";
// Ready-made checks: TCP connect, HTTP GET, a command's exit status, the kernel's socket table.
export { type CommandCheckOptions, checkCommand } from "./health/command-check.js";
export type { DampeningOptions } from "./health/dampening.js";
export type { CheckOutcome } from "./health/deadline.js";
// Withdraws and says goodbye on SIGTERM/SIGINT before the process exits.
export {
  type ExitHandler,
  type ExitHandlerOptions,
  installExitHandler,
  type ProcessLike,
} from "./health/exit.js";
// The rise/fall gate with flap dampening, as a pure object fed one round at a time.
export {
  type GateEvent,
  type GateOptions,
  type GatePhase,
  HealthGate,
  type ReleasedEvent,
  type RoundResult,
  type SuppressedEvent,
  type TransitionEvent,
} from "./health/gate.js";
export { checkHttp, type HttpCheckOptions } from "./health/http-check.js";
// Runs checks on an interval and feeds the gate.
export {
  HealthMonitor,
  type HealthMonitorEvents,
  type HealthMonitorOptions,
  type RoundReport,
} from "./health/monitor.js";
export { checkSocketTable, type SocketTableCheckOptions } from "./health/socket-table-check.js";
// A monitor's state and counters as plain data, for status pages and metrics.
export {
  CHECK_LATENCY_BUCKETS_SEC,
  type CheckStatus,
  type HealthStatus,
  type LatencyHistogram,
} from "./health/status.js";
export { checkTcp, type TcpCheckOptions } from "./health/tcp-check.js";
// What every check returns and the options every check shares.
export type { CheckBaseOptions, CheckFn, CheckResult, GateState } from "./health/types.js";

// ─── Sessions: one BGP session over node:net, and the listener, for bring-your-own peers ────────

// The clock sessions, health checks and BFD run on; inject a fake one in tests.
export type { Clock } from "./clock.js";
// Accepts incoming connections and hands each to the session configured for its address.
export { type AcceptingSession, BgpListener } from "./session/listener.js";
// One BGP session (the state machine driven by a socket and timers).
export { BgpSession } from "./session/session.js";
// TCP-MD5 key and TTL settings (GTSM, multihop) for a session's sockets.
export type { TransportSecurity } from "./session/socket-options.js";
// Options, events and counters of a session.
export type { NegotiatedSession, SessionEvents, SessionOptions, SessionStats } from "./session/types.js";

// ─── State machine: RFC 4271 §8 as a pure function, for those who bring their own transport ─────

// `step(snapshot, event, nowMs)` returns the next snapshot and the actions to run.
export { initialSnapshot, step } from "./fsm/machine.js";
// RFC 4271 §6.8 connection collision detection between two sessions to the same peer.
export { resolveCollision } from "./fsm/negotiate.js";
// The state machine's inputs, outputs and state.
export type {
  DownReason,
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmNotice,
  FsmSnapshot,
  FsmState,
  FsmStep,
  NegotiatedCapabilities,
  TimerName,
} from "./fsm/types.js";

// ─── Wire codec: BGP messages as plain data, bytes in and out ───────────────────────────────────

// Canonical text of prefixes and addresses, as the model and the events use it.
export { canonicalAddress } from "./wire/address.js";
// The codes a user meets in errors, NOTIFICATIONs and the model's numeric fields.
export {
  Afi,
  AttributeCode,
  CapabilityCode,
  CeaseSubcode,
  ErrorCode,
  FsmErrorSubcode,
  HeaderErrorSubcode,
  OpenErrorSubcode,
  RouteRefreshErrorSubcode,
  RouteRefreshSubtype,
  Safi,
  UpdateErrorSubcode,
  WellKnownCommunity,
} from "./wire/constants.js";
// Build and recognise End-of-RIB markers (RFC 4724).
export { endOfRib, endOfRibFamily } from "./wire/end-of-rib.js";
// The one error a decoder throws: NOTIFICATION code, subcode, data and RFC 7606 handling.
export { BgpError } from "./wire/errors.js";
// Cuts a byte stream into whole messages.
export { MessageFramer, type MessageFramerOptions } from "./wire/framer.js";
// Decode, encode and measure one whole message.
export { decodeMessage, encodeMessage, encodingLength } from "./wire/message.js";
// The RFC name of a NOTIFICATION code/subcode pair.
export { describeNotification } from "./wire/notification.js";
export { canonicalPrefix } from "./wire/prefix.js";
// The message model: a discriminated union on `type`, with attributes and capabilities as data.
export type {
  AddressFamily,
  AfiSafi,
  Aggregator,
  AsPathSegment,
  AsPathSegmentType,
  BgpMessage,
  BgpMessageType,
  Capability,
  CapabilityName,
  CodecContext,
  ErrorHandling,
  KeepaliveMessage,
  MpReach,
  MpReachOther,
  MpReachUnicast,
  MpUnreach,
  MpUnreachOther,
  MpUnreachUnicast,
  Nlri,
  NotificationMessage,
  OpenMessage,
  Origin,
  PathAttributes,
  RouteRefreshMessage,
  UnknownAttribute,
  UnknownOpenParameter,
  UpdateMessage,
  UpdateProblem,
} from "./wire/types.js";

// ─── BFD (RFC 5880/5881): sessions on a clock, the dgram transport, the machine, the codec ──────

// BFD Control packets as plain data, bytes in and out.
export { decodeControl, encodeControl } from "./bfd/codec.js";
// BFD codes: diagnostics (with their RFC text), authentication types, states.
export { type BfdAuthName, BfdAuthType, BfdDiag, type BfdState, describeDiag } from "./bfd/constants.js";
// What a BFD decoder throws on bad bytes.
export { BfdError } from "./bfd/error.js";
// The sans-IO BFD state machine, for those who bring their own transport.
export {
  type BfdAction,
  type BfdEvent,
  BfdMachine,
  type BfdMachineConfig,
  type BfdNotice,
  type BfdSnapshot,
  type BfdTimerName,
} from "./bfd/machine.js";
// One BFD session: the machine on a clock, sending through a transport.
export { BfdSession, type BfdSessionEvents, type BfdSessionStats } from "./bfd/session.js";
// The UDP transport: port 3784, TTL 255, demultiplexed by discriminator.
export {
  type BfdFamily,
  BfdTransport,
  type BfdTransportOptions,
  type BfdTransportStats,
} from "./bfd/transport.js";
export type { BfdAuthKey, BfdAuthSection, BfdControlPacket } from "./bfd/types.js";
