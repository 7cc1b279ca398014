/**
 * The information elements the flow decoder maps onto FlowRecord (IANA IPFIX registry ids; NetFlow v9 field
 * types 1-127 share them). Every other element is skipped by its length. Each template field is compiled
 * once into one of the action codes below so decoding a record is a single switch per field.
 */
export const enum Act {
  Skip = 0,
  Src4, Dst4, Src6, Dst6,
  SrcPort, DstPort, Proto, TcpFlags,
  InIf, OutIf,
  OctetDelta, OctetTotal, PostOctetDelta, InitiatorOctets, ResponderOctets,
  PacketDelta, PacketTotal, PostPacketDelta, InitiatorPackets, ResponderPackets,
  /** v9 FIRST_SWITCHED / LAST_SWITCHED (IPFIX flowStart/EndSysUpTime): exporter uptime milliseconds. */
  StartUptime, EndUptime,
  StartSec, EndSec, StartMs, EndMs, StartUs, EndUs, StartNs, EndNs,
  /** flowStart/EndDeltaMicroseconds: microseconds before the export time. */
  StartDeltaUs, EndDeltaUs,
  DurationMs, DurationUs,
  /** systemInitTimeMilliseconds (options data, or data): absolute boot time for uptime fields. */
  SysInitMs,
  SamplingInterval, SamplerRandomInterval, SamplingPacketInterval, SamplingPacketSpace, SamplerId,
  DataLinkFrameSize, DataLinkFrameSection, IpHeaderSection,
  IcmpTypeCode,
}

/** Element id -> action (enterprise elements are always Skip). */
export function actionFor(id: number, length: number): Act {
  switch (id) {
    case 8: return length === 4 ? Act.Src4 : Act.Skip;
    case 12: return length === 4 ? Act.Dst4 : Act.Skip;
    case 27: return length === 16 ? Act.Src6 : Act.Skip;
    case 28: return length === 16 ? Act.Dst6 : Act.Skip;
    case 7: return Act.SrcPort;
    case 11: return Act.DstPort;
    case 4: return Act.Proto;
    case 6: return Act.TcpFlags;
    case 10: return Act.InIf;
    case 14: return Act.OutIf;
    case 1: return Act.OctetDelta;
    case 85: return Act.OctetTotal;
    case 23: return Act.PostOctetDelta;
    case 231: return Act.InitiatorOctets;
    case 232: return Act.ResponderOctets;
    case 2: return Act.PacketDelta;
    case 86: return Act.PacketTotal;
    case 24: return Act.PostPacketDelta;
    case 298: return Act.InitiatorPackets;
    case 299: return Act.ResponderPackets;
    case 22: return Act.StartUptime;
    case 21: return Act.EndUptime;
    case 150: return Act.StartSec;
    case 151: return Act.EndSec;
    case 152: return Act.StartMs;
    case 153: return Act.EndMs;
    case 154: return Act.StartUs;
    case 155: return Act.EndUs;
    case 156: return Act.StartNs;
    case 157: return Act.EndNs;
    case 158: return Act.StartDeltaUs;
    case 159: return Act.EndDeltaUs;
    case 161: return Act.DurationMs;
    case 162: return Act.DurationUs;
    case 160: return Act.SysInitMs;
    case 34: return Act.SamplingInterval;
    case 50: return Act.SamplerRandomInterval;
    case 305: return Act.SamplingPacketInterval;
    case 306: return Act.SamplingPacketSpace;
    case 48: case 302: return Act.SamplerId;
    case 312: return Act.DataLinkFrameSize;
    case 315: return Act.DataLinkFrameSection;
    case 313: return Act.IpHeaderSection;
    case 32: case 139: return Act.IcmpTypeCode;
    default: return Act.Skip;
  }
}

/** NetFlow v9 options scope field types (1 System, 2 Interface, 3 Line card, 4 Cache, 5 Template): all skipped. */
export const V9_SCOPE_TYPES = 5;
