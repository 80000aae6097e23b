// The D-Bus wire format (little-endian), for the few calls the systemd cgroup driver makes: a
// signature-driven marshaller and reader of messages. Values map to JS as: y n q i u → number,
// x t → bigint, b → boolean, s o g → string, arrays and structs → arrays, a variant →
// [signature, value]. A full client library would be most of what the driver loads.

export type Value = number | bigint | boolean | string | Value[] | Variant;
export type Variant = readonly [string, Value];

export const METHOD_CALL = 1, METHOD_RETURN = 2, ERROR = 3, SIGNAL = 4;
/** Header flag: the caller wants no reply. */
export const NO_REPLY_EXPECTED = 1;

const FIELD = { path: 1, interface: 2, member: 3, errorName: 4, replySerial: 5, destination: 6 };
const FIELD_SIG = 8;

export interface Message {
  type: number;
  flags?: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  signature?: string;
  body?: Value[];
}

export class WireError extends Error {}

const ALIGN: Record<string, number> = {
  y: 1,
  b: 4,
  n: 2,
  q: 2,
  i: 4,
  u: 4,
  x: 8,
  t: 8,
  d: 8,
  s: 4,
  o: 4,
  g: 1,
  a: 4,
  "(": 8,
  "{": 8,
  v: 1,
  h: 4,
};

/** The length of the single complete type at `sig[i]`. */
function typeEnd(sig: string, i: number): number {
  const c = sig[i];
  if (c === "a") return typeEnd(sig, i + 1);
  if (c === "(" || c === "{") {
    const close = c === "(" ? ")" : "}";
    let j = i + 1;
    while (sig[j] !== close) {
      if (j >= sig.length) throw new WireError(`unbalanced signature "${sig}"`);
      j = typeEnd(sig, j);
    }
    return j + 1;
  }
  if (!(c in ALIGN)) throw new WireError(`unsupported type "${c}" in signature "${sig}"`);
  return i + 1;
}

/** The complete types a signature is made of: "sa(sv)" → ["s", "a(sv)"]. */
export function splitSignature(sig: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < sig.length;) {
    const end = typeEnd(sig, i);
    out.push(sig.slice(i, end));
    i = end;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Writer {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  length = 0;

  #room(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(this.#buf.length * 2, this.length + n));
    bigger.set(this.#buf);
    this.#buf = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  pad(align: number): void {
    const n = (align - (this.length % align)) % align;
    this.#room(n);
    this.#buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.length);
    this.length += b.length;
  }

  u8(v: number): void {
    this.#room(1);
    this.#buf[this.length++] = v;
  }

  /** Writes a fixed-size number after aligning to its size. */
  num(size: 2 | 4 | 8, set: (v: DataView, at: number) => void): void {
    this.pad(size);
    this.#room(size);
    set(this.#view, this.length);
    this.length += size;
  }

  setU32(at: number, v: number): void {
    this.#view.setUint32(at, v, true);
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.#buf.slice(0, this.length);
  }
}

function writeValue(w: Writer, sig: string, v: Value): void {
  const bad = () => new WireError(`value ${String(v)} does not fit D-Bus type "${sig}"`);
  switch (sig[0]) {
    case "y":
      return w.u8(v as number);
    case "b":
      return w.num(4, (d, at) => d.setUint32(at, v ? 1 : 0, true));
    case "n":
      return w.num(2, (d, at) => d.setInt16(at, v as number, true));
    case "q":
      return w.num(2, (d, at) => d.setUint16(at, v as number, true));
    case "i":
    case "h":
      return w.num(4, (d, at) => d.setInt32(at, v as number, true));
    case "u":
      return w.num(4, (d, at) => d.setUint32(at, v as number, true));
    case "x":
      return w.num(8, (d, at) => d.setBigInt64(at, BigInt(v as bigint), true));
    case "t":
      return w.num(8, (d, at) => d.setBigUint64(at, BigInt(v as bigint), true));
    case "d":
      return w.num(8, (d, at) => d.setFloat64(at, v as number, true));
    case "s":
    case "o": {
      if (typeof v !== "string") throw bad();
      const b = encoder.encode(v);
      w.num(4, (d, at) => d.setUint32(at, b.length, true));
      w.bytes(b);
      return w.u8(0);
    }
    case "g": {
      if (typeof v !== "string") throw bad();
      const b = encoder.encode(v);
      w.u8(b.length);
      w.bytes(b);
      return w.u8(0);
    }
    case "v": {
      const [inner, value] = v as Variant;
      writeValue(w, "g", inner);
      return writeValue(w, inner, value);
    }
    case "a": {
      if (!Array.isArray(v)) throw bad();
      const elem = sig.slice(1);
      w.num(4, () => {});
      const lengthAt = w.length - 4;
      // The length excludes the padding up to the first element, which is there even when empty.
      w.pad(ALIGN[elem[0]]);
      const start = w.length;
      for (const e of v) writeValue(w, elem, e);
      return w.setU32(lengthAt, w.length - start);
    }
    case "(":
    case "{": {
      if (!Array.isArray(v)) throw bad();
      w.pad(8);
      const fields = splitSignature(sig.slice(1, -1));
      if (fields.length !== v.length) throw bad();
      fields.forEach((f, i) => writeValue(w, f, v[i]));
      return;
    }
  }
  throw new WireError(`unsupported type "${sig}"`);
}

/** The bytes of one message; `serial` is the caller's, non-zero. */
export function encodeMessage(m: Message): Uint8Array<ArrayBuffer> {
  const body = new Writer();
  const types = splitSignature(m.signature ?? "");
  if (types.length !== (m.body ?? []).length) {
    throw new WireError(`body does not match signature "${m.signature ?? ""}"`);
  }
  types.forEach((t, i) => writeValue(body, t, m.body![i]));
  const fields: Value[] = [];
  const add = (code: number, sig: string, value: Value | undefined) => {
    if (value !== undefined) fields.push([code, [sig, value]]);
  };
  add(FIELD.path, "o", m.path);
  add(FIELD.interface, "s", m.interface);
  add(FIELD.member, "s", m.member);
  add(FIELD.errorName, "s", m.errorName);
  add(FIELD.replySerial, "u", m.replySerial);
  add(FIELD.destination, "s", m.destination);
  if (m.signature) add(FIELD_SIG, "g", m.signature);
  const w = new Writer();
  w.bytes(new Uint8Array([0x6c, /* 'l' */ m.type, m.flags ?? 0, 1]));
  writeValue(w, "u", body.length);
  writeValue(w, "u", m.serial);
  writeValue(w, "a(yv)", fields);
  w.pad(8);
  w.bytes(body.result());
  return w.result();
}

class Reader {
  readonly #view: DataView;
  constructor(readonly buf: Uint8Array, public at = 0) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** `buf` starts at an 8-aligned offset of its message (its start or its body's). */
  pad(align: number): void {
    this.at += (align - (this.at % align)) % align;
  }

  need(n: number): void {
    if (this.at + n > this.buf.length) throw new WireError("message truncated");
  }

  num<T>(size: number, get: (d: DataView, at: number) => T): T {
    this.pad(size);
    this.need(size);
    const v = get(this.#view, this.at);
    this.at += size;
    return v;
  }

  text(length: number): string {
    this.need(length + 1);
    const s = decoder.decode(this.buf.subarray(this.at, this.at + length));
    this.at += length + 1;
    return s;
  }
}

function readValue(r: Reader, sig: string): Value {
  switch (sig[0]) {
    case "y":
      r.need(1);
      return r.buf[r.at++];
    case "b":
      return r.num(4, (d, at) => d.getUint32(at, true)) !== 0;
    case "n":
      return r.num(2, (d, at) => d.getInt16(at, true));
    case "q":
      return r.num(2, (d, at) => d.getUint16(at, true));
    case "i":
    case "h":
      return r.num(4, (d, at) => d.getInt32(at, true));
    case "u":
      return r.num(4, (d, at) => d.getUint32(at, true));
    case "x":
      return r.num(8, (d, at) => d.getBigInt64(at, true));
    case "t":
      return r.num(8, (d, at) => d.getBigUint64(at, true));
    case "d":
      return r.num(8, (d, at) => d.getFloat64(at, true));
    case "s":
    case "o":
      return r.text(r.num(4, (d, at) => d.getUint32(at, true)));
    case "g":
      r.need(1);
      return r.text(r.buf[r.at++]);
    case "v": {
      const inner = readValue(r, "g") as string;
      splitSignature(inner); // refuses what this reader cannot parse
      return [inner, readValue(r, inner)];
    }
    case "a": {
      const length = r.num(4, (d, at) => d.getUint32(at, true));
      const elem = sig.slice(1);
      r.pad(ALIGN[elem[0]]);
      const end = r.at + length;
      if (end > r.buf.length) throw new WireError("message truncated");
      const out: Value[] = [];
      while (r.at < end) out.push(readValue(r, elem));
      return out;
    }
    case "(":
    case "{":
      r.pad(8);
      return splitSignature(sig.slice(1, -1)).map((f) => readValue(r, f));
  }
  throw new WireError(`unsupported type "${sig}"`);
}

/** How many bytes the message starting `buf` takes, once its fixed header (16 bytes) is in. */
export function messageLength(buf: Uint8Array): number {
  if (buf[0] !== 0x6c) throw new WireError("not a little-endian D-Bus message");
  const d = new DataView(buf.buffer, buf.byteOffset, 16);
  const bodyLength = d.getUint32(4, true);
  const fieldsLength = d.getUint32(12, true);
  const header = 16 + fieldsLength;
  return header + ((8 - (header % 8)) % 8) + bodyLength;
}

/** Parses one complete message (messageLength bytes). */
export function decodeMessage(buf: Uint8Array): Message {
  const r = new Reader(buf, 4);
  const bodyLength = readValue(r, "u") as number;
  const m: Message = { type: buf[1], flags: buf[2], serial: readValue(r, "u") as number };
  for (const [code, [, value]] of readValue(r, "a(yv)") as [number, Variant][]) {
    if (code === FIELD_SIG) m.signature = value as string;
    else {
      const name = Object.entries(FIELD).find(([, c]) => c === code)?.[0];
      if (name) (m as unknown as Record<string, Value>)[name] = value;
    }
  }
  r.pad(8);
  const body = new Reader(buf.subarray(r.at, r.at + bodyLength), 0);
  m.body = splitSignature(m.signature ?? "").map((t) => readValue(body, t));
  return m;
}
