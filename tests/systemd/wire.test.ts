// The D-Bus wire format without a bus: byte layouts worked out from the specification's
// alignment rules, a reply systemd itself sent, and round trips of the driver's signatures.
import assert from "node:assert/strict";
import {
  decodeMessage,
  encodeMessage,
  ERROR,
  messageLength,
  METHOD_CALL,
  splitSignature,
  type Value,
  WireError,
} from "../../runtime/dbus/wire.ts";

const bytes = (...parts: (number | string)[]) =>
  new Uint8Array(
    parts.flatMap((p) => typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : [p]),
  );

/** The body bytes of a method call whose body is `body` of `signature`. */
function bodyOf(signature: string, body: Value[]): Uint8Array {
  const m = encodeMessage({
    type: METHOD_CALL,
    serial: 1,
    path: "/",
    member: "M",
    signature,
    body,
  });
  const header = messageLength(m) - new DataView(m.buffer).getUint32(4, true);
  return m.subarray(header);
}

Deno.test("signatures split into complete types", () => {
  assert.deepEqual(splitSignature("ssa(sv)a(sa(sv))"), ["s", "s", "a(sv)", "a(sa(sv))"]);
  assert.deepEqual(splitSignature("a{sv}yt"), ["a{sv}", "y", "t"]);
  assert.throws(() => splitSignature("a(sv"), WireError);
  assert.throws(() => splitSignature("z"), /unsupported type "z"/);
});

Deno.test("fixed types are aligned to their size", () => {
  // y at 0, then t padded to 8.
  assert.deepEqual(bodyOf("yt", [1, 2n]), bytes(1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0));
  // b is 4 bytes; n and q 2.
  assert.deepEqual(bodyOf("ybn", [7, true, -2]), bytes(7, 0, 0, 0, 1, 0, 0, 0, 0xfe, 0xff));
});

Deno.test("strings, signatures and arrays carry lengths; an empty array still pads", () => {
  assert.deepEqual(bodyOf("s", ["ab"]), bytes(2, 0, 0, 0, "ab", 0));
  assert.deepEqual(bodyOf("g", ["su"]), bytes(2, "su", 0));
  // An array's length excludes the padding to its first element.
  assert.deepEqual(
    bodyOf("yat", [9, [5n]]),
    bytes(9, 0, 0, 0, 8, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0),
  );
  assert.deepEqual(bodyOf("ya(sv)", [9, []]), bytes(9, 0, 0, 0, 0, 0, 0, 0));
  assert.deepEqual(bodyOf("au", [[1, 2]]), bytes(8, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0));
});

Deno.test("variants carry their signature, structs align to 8", () => {
  assert.deepEqual(
    bodyOf("a(sv)", [[["A", ["b", true]]]]),
    bytes(16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, "A", 0, 1, "b", 0, 0, 0, 0, 1, 0, 0, 0),
  );
});

Deno.test("StartTransientUnit's arguments survive a round trip", () => {
  const body: Value[] = [
    "sd-x.scope",
    "replace",
    [
      ["Description", ["s", "tsrun container x"]],
      ["PIDs", ["au", [42]]],
      ["Delegate", ["b", true]],
      ["MemoryLimit", ["t", 0xffff_ffff_ffff_ffffn]],
      ["AllowedCPUs", ["ay", [3]]],
      ["DeviceAllow", ["a(ss)", [["/dev/char/1:3", "rwm"], ["char-pts", "rw"]]]],
    ],
    [],
  ];
  const m = encodeMessage({
    type: METHOD_CALL,
    serial: 7,
    destination: "org.freedesktop.systemd1",
    path: "/org/freedesktop/systemd1",
    interface: "org.freedesktop.systemd1.Manager",
    member: "StartTransientUnit",
    signature: "ssa(sv)a(sa(sv))",
    body,
  });
  assert.equal(messageLength(m), m.length);
  const back = decodeMessage(m);
  assert.equal(back.serial, 7);
  assert.equal(back.member, "StartTransientUnit");
  assert.equal(back.destination, "org.freedesktop.systemd1");
  assert.equal(back.signature, "ssa(sv)a(sa(sv))");
  assert.deepEqual(back.body, body);
});

Deno.test("a reply systemd sent decodes: an error with its name and message", () => {
  // Captured from systemd 252 answering GetUnit("sd-t3.scope") with serial 1.
  const reply = bytes(
    "l\x03\x01\x01\x21\0\0\0\x01\0\0\0\x67\0\0\0",
    "\x05\x01u\0\x01\0\0\0",
    "\x04\x01s\0\x23\0\0\0org.freedesktop.systemd1.NoSuchUnit\0\0\0\0\0",
    "\x07\x01s\0\x18\0\0\0org.freedesktop.systemd1\0\0\0\0\0\0\0\0",
    "\x08\x01g\0\x01s\0\0",
    "\x1c\0\0\0Unit sd-t3.scope not loaded.\0",
  );
  assert.equal(messageLength(reply), reply.length);
  const m = decodeMessage(reply);
  assert.equal(m.type, ERROR);
  assert.equal(m.replySerial, 1);
  assert.equal(m.errorName, "org.freedesktop.systemd1.NoSuchUnit");
  assert.deepEqual(m.body, ["Unit sd-t3.scope not loaded."]);
});

Deno.test("bad input is refused with a WireError, not a crash", () => {
  assert.throws(() => messageLength(bytes("B", 1, 0, 1)), /not a little-endian/);
  const m = encodeMessage({ type: METHOD_CALL, serial: 1, path: "/", signature: "s", body: ["x"] });
  assert.throws(() => decodeMessage(m.subarray(0, m.length - 3)), /truncated/);
  assert.throws(
    () => encodeMessage({ type: METHOD_CALL, serial: 1, signature: "s", body: [] }),
    /does not match signature/,
  );
  assert.throws(
    () => encodeMessage({ type: METHOD_CALL, serial: 1, signature: "s", body: [3] }),
    /does not fit D-Bus type "s"/,
  );
});
