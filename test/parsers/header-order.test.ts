import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine } from '../../src/parsers/index.js';

// Round 9 reads a sequence number before trying a stamp at a run of digits, reads its value in the same walk, and
// decides the Cisco platform from bits kept with each message id. These headers (digits that look like years,
// sequence numbers of 12 and 13 digits, stamps right after a sequence number, relays, IOS XR nodes, EOS agents)
// must parse as they did before: the expected events are main's output (18d1064), pinned.
const LINES = [
  '<189>2026: Nov 23 00:00:01.123 UTC: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)',
  '<189>2026 Nov 23 00:00:01 UTC: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)',
  '<189>12: -Nov 23 00:00:01: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up',
  '<189>1234567890123: sw1: Nov 23 00:00:01: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up',
  '<189>123456789012: sw1: Nov 23 00:00:01: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up',
  '000123: 2026-11-23T00:00:01Z sw1 %LINK-3-UPDOWN: Interface Gi0/1, changed state to up',
  '2026-11-23T00:00:01Z 17: sw1: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up',
  'Nov 23 00:00:01 relay 42: 43: Nov 23 00:00:02.5: %SEC-6-IPACCESSLOGP: list 1 denied tcp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet',
  '<190>17:Nov 23 00:00:01: %LINK-3-UPDOWN: x',
  '99:',
  '0/RSP0/CPU0:Nov 23 00:00:01.1 UTC: bgp[1]: %ROUTING-BGP-5-ADJCHANGE : neighbor 1.2.3.4 Up',
];

const EXPECTED = [
  "{\"event\":{\"time\":\"2026-11-23T00:00:01.123Z\",\"facility\":23,\"severity\":5,\"mnemonic\":\"SYS-5-CONFIG_I\",\"message\":\"Configured from console by a on vty0 (10.0.0.1)\",\"vendor\":\"cisco\",\"platform\":\"ios\",\"kind\":\"config\",\"raw\":\"<189>2026: Nov 23 00:00:01.123 UTC: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)\",\"seq\":2026,\"config_source\":\"console\",\"user\":\"a\",\"tty\":\"vty0\",\"src_ip\":\"10.0.0.1\"}}",
  "{\"event\":{\"time\":\"2026-11-23T00:00:01.000Z\",\"facility\":23,\"severity\":5,\"mnemonic\":\"SYS-5-CONFIG_I\",\"message\":\"Configured from console by a on vty0 (10.0.0.1)\",\"vendor\":\"cisco\",\"platform\":\"nxos\",\"kind\":\"config\",\"raw\":\"<189>2026 Nov 23 00:00:01 UTC: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)\",\"config_source\":\"console\",\"user\":\"a\",\"tty\":\"vty0\",\"src_ip\":\"10.0.0.1\"}}",
  "{\"event\":{\"facility\":23,\"severity\":3,\"mnemonic\":\"LINK-3-UPDOWN\",\"message\":\"Interface Gi0/1, changed state to up\",\"vendor\":\"cisco\",\"platform\":\"ios\",\"kind\":\"system\",\"raw\":\"<189>12: -Nov 23 00:00:01: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up\",\"seq\":12,\"interface\":\"Gi0/1\",\"state\":\"up\"}}",
  "{\"event\":{\"facility\":23,\"severity\":3,\"mnemonic\":\"LINK-3-UPDOWN\",\"message\":\"Interface Gi0/1, changed state to up\",\"vendor\":\"cisco\",\"platform\":\"ios\",\"kind\":\"system\",\"raw\":\"<189>1234567890123: sw1: Nov 23 00:00:01: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up\",\"interface\":\"Gi0/1\",\"state\":\"up\"}}",
  "{\"event\":{\"time\":\"2026-11-23T00:00:01.000Z\",\"host\":\"sw1\",\"facility\":23,\"severity\":3,\"mnemonic\":\"LINK-3-UPDOWN\",\"message\":\"Interface Gi0/1, changed state to up\",\"vendor\":\"cisco\",\"platform\":\"ios\",\"kind\":\"system\",\"raw\":\"<189>123456789012: sw1: Nov 23 00:00:01: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up\",\"seq\":123456789012,\"interface\":\"Gi0/1\",\"state\":\"up\"}}",
  "{\"event\":{\"time\":\"2026-11-23T00:00:01.000Z\",\"host\":\"sw1\",\"severity\":3,\"mnemonic\":\"LINK-3-UPDOWN\",\"message\":\"Interface Gi0/1, changed state to up\",\"vendor\":\"cisco\",\"platform\":\"ios\",\"kind\":\"system\",\"raw\":\"000123: 2026-11-23T00:00:01Z sw1 %LINK-3-UPDOWN: Interface Gi0/1, changed state to up\",\"seq\":123,\"interface\":\"Gi0/1\",\"state\":\"up\"}}",
  "{\"event\":{\"time\":\"2026-11-23T00:00:01.000Z\",\"severity\":3,\"program\":\"sw1\",\"mnemonic\":\"LINK-3-UPDOWN\",\"message\":\"Interface Gi0/1, changed state to up\",\"vendor\":\"arista\",\"platform\":\"eos\",\"kind\":\"system\",\"raw\":\"2026-11-23T00:00:01Z 17: sw1: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up\",\"seq\":17,\"interface\":\"Gi0/1\",\"state\":\"up\"}}",
  "{\"event\":{\"time\":\"2026-11-23T00:00:02.500Z\",\"host\":\"relay\",\"severity\":6,\"mnemonic\":\"SEC-6-IPACCESSLOGP\",\"message\":\"list 1 denied tcp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet\",\"vendor\":\"cisco\",\"platform\":\"ios\",\"kind\":\"traffic\",\"raw\":\"Nov 23 00:00:01 relay 42: 43: Nov 23 00:00:02.5: %SEC-6-IPACCESSLOGP: list 1 denied tcp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet\",\"seq\":42,\"acl\":\"1\",\"action\":\"deny\",\"protocol\":\"tcp\",\"src_ip\":\"1.2.3.4\",\"src_port\":1,\"dst_ip\":\"5.6.7.8\",\"dst_port\":2,\"packets\":1}}",
  "{\"event\":{\"facility\":23,\"severity\":3,\"mnemonic\":\"LINK-3-UPDOWN\",\"message\":\"x\",\"vendor\":\"cisco\",\"platform\":\"ios\",\"kind\":\"system\",\"raw\":\"<190>17:Nov 23 00:00:01: %LINK-3-UPDOWN: x\"}}",
  "{\"event\":{\"message\":\"\",\"platform\":\"syslog\",\"kind\":\"system\",\"raw\":\"99:\",\"seq\":99}}",
  "{\"event\":{\"time\":\"2026-11-23T00:00:01.100Z\",\"severity\":5,\"program\":\"bgp\",\"pid\":1,\"mnemonic\":\"ROUTING-BGP-5-ADJCHANGE\",\"message\":\"neighbor 1.2.3.4 Up\",\"vendor\":\"cisco\",\"platform\":\"iosxr\",\"kind\":\"system\",\"raw\":\"0/RSP0/CPU0:Nov 23 00:00:01.1 UTC: bgp[1]: %ROUTING-BGP-5-ADJCHANGE : neighbor 1.2.3.4 Up\",\"node\":\"0/RSP0/CPU0\"}}",
];

test('header forms around sequence numbers and stamps parse as before round 9', () => {
  assert.equal(LINES.length, EXPECTED.length);
  LINES.forEach((l, i) => assert.equal(JSON.stringify(parseLine(l, { refMs: Date.UTC(2026, 10, 24) })), EXPECTED[i], l));
});
