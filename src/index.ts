// Public exports only.

// BFD (RFC 5880/5881): the codec, the pure state machine, the session driver and the transport
export * from "./bfd/index.js";
export type { Clock } from "./clock.js";
// The pure RFC 4271 state machine, for those who bring their own transport
export { buildOpen, initialSnapshot, negotiate, resolveCollision, step, validateOpen } from "./fsm/index.js";
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
export type { CheckOutcome } from "./health/deadline.js";
// Health checks, the gate, and the wiring to the speaker
export * from "./health/index.js";
// Sessions over node:net
export { type AcceptingSession, BgpListener } from "./session/listener.js";
export { BgpSession } from "./session/session.js";
export type {
  NegotiatedSession,
  SessionEvents,
  SessionOptions,
  SessionStats,
} from "./session/types.js";
export type { ReceivedRoute } from "./speaker/adj-rib-in.js";
export type { BfdPeerOptions, BfdPeerStatus } from "./speaker/bfd.js";
export type { PeerStatus } from "./speaker/peer.js";
export type { AnnounceAttributes, PeerSelector, RouteAttributes } from "./speaker/route.js";
// The speaker
export {
  type Announcement,
  type BfdDownEvent,
  type BfdUpEvent,
  BgpSpeaker,
  type DownEvent,
  type EndOfRibEvent,
  type EstablishedEvent,
  type PeerOptions,
  type RibEntry,
  type RouteEvent,
  type RouteSkippedEvent,
  type SpeakerEventItem,
  type SpeakerEvents,
  type SpeakerOptions,
  type StateEvent,
} from "./speaker/speaker.js";
export { canonicalAddress } from "./wire/address.js";
// The wire codec
export * from "./wire/constants.js";
export { DEFAULT_CODEC_CONTEXT, maxMessageLength, resolveContext } from "./wire/context.js";
export { endOfRib, endOfRibFamily } from "./wire/end-of-rib.js";
// Errors
export { BgpError } from "./wire/errors.js";
export { afiSafiToFamily, familyToAfiSafi } from "./wire/family.js";
export { MessageFramer, type MessageFramerOptions } from "./wire/framer.js";
export { decodeMessage, encodeMessage, encodingLength } from "./wire/message.js";
export { describeNotification } from "./wire/notification.js";
export { canonicalPrefix } from "./wire/prefix.js";
export type * from "./wire/types.js";
