import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as root from "../../src/index.js";
import * as metrics from "../../src/metrics/index.js";

// The public surface, pinned: a name added to or dropped from an entry point fails here until this
// list changes with it, so every change to the API is a deliberate one (see src/index.ts).

/** Every name `bgp-speaker` exports that exists at run time. */
const ROOT_VALUES = [
  "Afi",
  "AttributeCode",
  "BfdAuthType",
  "BfdDiag",
  "BfdError",
  "BfdMachine",
  "BfdSession",
  "BfdTransport",
  "BgpError",
  "BgpListener",
  "BgpSession",
  "BgpSpeaker",
  "CHECK_LATENCY_BUCKETS_SEC",
  "CapabilityCode",
  "CeaseSubcode",
  "ErrorCode",
  "FsmErrorSubcode",
  "HeaderErrorSubcode",
  "HealthGate",
  "HealthGatedAnnouncer",
  "HealthMonitor",
  "MessageFramer",
  "OpenErrorSubcode",
  "RouteRefreshErrorSubcode",
  "RouteRefreshSubtype",
  "Safi",
  "UpdateErrorSubcode",
  "WellKnownCommunity",
  "canonicalAddress",
  "canonicalPrefix",
  "checkCommand",
  "checkHttp",
  "checkSocketTable",
  "checkTcp",
  "decodeControl",
  "decodeMessage",
  "describeDiag",
  "describeNotification",
  "encodeControl",
  "encodeMessage",
  "encodingLength",
  "endOfRib",
  "endOfRibFamily",
  "initialSnapshot",
  "installExitHandler",
  "resolveCollision",
  "step",
];

/** The names `bgp-speaker` exports only as types. */
const ROOT_TYPES = [
  "AcceptingSession",
  "AddressFamily",
  "AfiSafi",
  "Aggregator",
  "AnnounceAttributes",
  "Announcement",
  "AnnouncerAction",
  "AsPathSegment",
  "AsPathSegmentType",
  "BfdAction",
  "BfdAuthKey",
  "BfdAuthName",
  "BfdAuthSection",
  "BfdControlPacket",
  "BfdDownEvent",
  "BfdEvent",
  "BfdFamily",
  "BfdMachineConfig",
  "BfdNotice",
  "BfdPeerOptions",
  "BfdPeerStatus",
  "BfdSessionEvents",
  "BfdSessionStats",
  "BfdSnapshot",
  "BfdState",
  "BfdTimerName",
  "BfdTransportOptions",
  "BfdTransportStats",
  "BfdUpEvent",
  "BgpMessage",
  "BgpMessageType",
  "Capability",
  "CapabilityName",
  "CheckBaseOptions",
  "CheckFn",
  "CheckOutcome",
  "CheckResult",
  "CheckStatus",
  "Clock",
  "CodecContext",
  "CommandCheckOptions",
  "DampeningOptions",
  "DownEvent",
  "DownReason",
  "EndOfRibEvent",
  "ErrorHandling",
  "EstablishedEvent",
  "ExitHandler",
  "ExitHandlerOptions",
  "FsmAction",
  "FsmConfig",
  "FsmEvent",
  "FsmNotice",
  "FsmSnapshot",
  "FsmState",
  "FsmStep",
  "GateEvent",
  "GateOptions",
  "GatePhase",
  "GateSource",
  "GateState",
  "GatedPrefixes",
  "HealthGatedAnnouncerEvents",
  "HealthGatedAnnouncerOptions",
  "HealthMonitorEvents",
  "HealthMonitorOptions",
  "HealthStatus",
  "HttpCheckOptions",
  "KeepaliveMessage",
  "LatencyHistogram",
  "MessageFramerOptions",
  "MpReach",
  "MpReachOther",
  "MpReachUnicast",
  "MpUnreach",
  "MpUnreachOther",
  "MpUnreachUnicast",
  "NegotiatedCapabilities",
  "NegotiatedSession",
  "Nlri",
  "NotificationMessage",
  "OpenMessage",
  "Origin",
  "PathAttributes",
  "PeerOptions",
  "PeerSelector",
  "PeerStatus",
  "PrefixAction",
  "PrefixPolicy",
  "ProcessLike",
  "ReceivedRoute",
  "ReleasedEvent",
  "RibEntry",
  "RouteAttributes",
  "RouteEvent",
  "RouteRefreshMessage",
  "RouteSkippedEvent",
  "RouteSpeaker",
  "RoundReport",
  "RoundResult",
  "SessionEvents",
  "SessionOptions",
  "SessionStats",
  "SocketTableCheckOptions",
  "SpeakerEventItem",
  "SpeakerEvents",
  "SpeakerLifecycle",
  "SpeakerOptions",
  "StateEvent",
  "SuppressedEvent",
  "TcpCheckOptions",
  "TimerName",
  "TransitionEvent",
  "TransportSecurity",
  "UnknownAttribute",
  "UnknownOpenParameter",
  "UpdateMessage",
  "UpdateProblem",
];

/** Every name `bgp-speaker/metrics` exports that exists at run time. */
const METRICS_VALUES = ["collectStatus", "createMetricsRegistry", "startStatusServer"];

/** The names `bgp-speaker/metrics` exports only as types. */
const METRICS_TYPES = [
  "HealthStatusSource",
  "MetricsRegistryOptions",
  "MetricsSources",
  "PeerStatusJson",
  "SelfHealth",
  "StatusReport",
  "StatusServer",
  "StatusServerOptions",
];

const sorted = (names: readonly string[]) => [...names].sort();

/** All names an entry point exports, types included, as the compiler sees them. */
function exportedNames(entryPoints: readonly string[]): Map<string, string[]> {
  const files = entryPoints.map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const [i, file] of files.entries()) {
    const source = program.getSourceFile(file);
    const symbol = source && checker.getSymbolAtLocation(source);
    if (!symbol) throw new Error(`no module symbol for ${file}`);
    result.set(entryPoints[i] as string, sorted(checker.getExportsOfModule(symbol).map((s) => s.name)));
  }
  return result;
}

describe("public API", () => {
  it("bgp-speaker exports exactly the pinned values", () => {
    expect(sorted(Object.keys(root))).toEqual(sorted(ROOT_VALUES));
  });

  it("bgp-speaker/metrics exports exactly the pinned values", () => {
    expect(sorted(Object.keys(metrics))).toEqual(sorted(METRICS_VALUES));
  });

  it("the entry points export exactly the pinned values and types", { timeout: 60_000 }, () => {
    const names = exportedNames(["../../src/index.ts", "../../src/metrics/index.ts"]);
    expect(names.get("../../src/index.ts")).toEqual(sorted([...ROOT_VALUES, ...ROOT_TYPES]));
    expect(names.get("../../src/metrics/index.ts")).toEqual(sorted([...METRICS_VALUES, ...METRICS_TYPES]));
  });
});
