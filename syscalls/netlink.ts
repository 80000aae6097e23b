// A minimal rtnetlink client (rtnetlink(7)) over an AF_NETLINK socket: create, move and delete
// network links, the few requests LinuxKit's runtime.json needs, without the `ip` program
// (LinuxKit images do not ship iproute2). One request at a time, each acknowledged.
import { check, libc, O_CLOEXEC } from "./libc.ts";
import { SyscallError } from "./errors.ts";
import { closeFd } from "./socket.ts";
import { withNetNamespace } from "./setns.ts";

const AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 0x1, NLM_F_ACK = 0x4, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
const RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_SETLINK = 19;
const IFLA_IFNAME = 3, IFLA_LINKINFO = 18, IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, VETH_INFO_PEER = 1;
const NLA_F_NESTED = 0x8000;
const HEADER = 16, IFINFOMSG = 16;

/** A netlink attribute: a string (NUL-terminated), a u32, or nested attributes. */
type Attr = [type: number, value: string | number | Attr[] | Uint8Array];

const align = (n: number) => (n + 3) & ~3;

/** Attributes as bytes, each padded to 4 (netlink(7)). */
function encodeAttrs(attrs: Attr[]): Uint8Array {
  const parts = attrs.map(([type, value]) => {
    const body = typeof value === "string"
      ? new TextEncoder().encode(value + "\0")
      : typeof value === "number"
      ? new Uint8Array(new Uint32Array([value]).buffer)
      : Array.isArray(value)
      ? encodeAttrs(value)
      : value;
    const out = new Uint8Array(align(4 + body.length));
    const v = new DataView(out.buffer);
    v.setUint16(0, 4 + body.length, true);
    v.setUint16(2, Array.isArray(value) ? type | NLA_F_NESTED : type, true);
    out.set(body, 4);
    return out;
  });
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

/** struct ifinfomsg with everything zero (AF_UNSPEC, no index: links are named by attribute). */
const ifinfomsg = () => new Uint8Array(IFINFOMSG);

/** A whole request: nlmsghdr, ifinfomsg, attributes. Exported for the unit tests. */
export function linkRequest(type: number, flags: number, seq: number, attrs: Attr[]): Uint8Array {
  const body = concat([ifinfomsg(), encodeAttrs(attrs)]);
  const msg = new Uint8Array(HEADER + body.length);
  const v = new DataView(msg.buffer);
  v.setUint32(0, msg.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags | NLM_F_REQUEST | NLM_F_ACK, true);
  v.setUint32(8, seq, true);
  msg.set(body, HEADER);
  return msg;
}

/** The errno of the acknowledgement for `seq` in a reply (0: success); undefined if absent. */
export function ackErrno(reply: Uint8Array, seq: number): number | undefined {
  const v = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let at = 0; at + HEADER <= reply.length;) {
    const len = v.getUint32(at, true);
    if (len < HEADER) break;
    if (v.getUint16(at + 4, true) === NLMSG_ERROR && v.getUint32(at + 8, true) === seq) {
      // nlmsgerr.error: 0 for the ACK, else a negative errno.
      return Math.abs(v.getInt32(at + HEADER, true));
    }
    at += align(len);
  }
  return undefined;
}

export interface NewLink {
  name: string;
  /** IFLA_INFO_KIND: "veth", "bridge", "vxlan"... */
  kind: string;
  /** The other end of a veth, made in this socket's namespace. */
  peer?: string;
  /** A /proc/PID/ns/net fd: the link is made in that namespace instead. */
  netnsFd?: number;
}

/** An rtnetlink socket: in the calling thread's network namespace, or the one open at `netnsFd`. */
export class RtNetlink {
  #fd: number;
  #seq = 0;

  constructor(netnsFd?: number) {
    const open = () =>
      check("socket", libc().socket(AF_NETLINK, SOCK_RAW | O_CLOEXEC, NETLINK_ROUTE), "AF_NETLINK");
    this.#fd = netnsFd === undefined ? open() : withNetNamespace(netnsFd, open);
  }

  close(): void {
    closeFd(this.#fd);
  }

  newLink(link: NewLink): void {
    const info: Attr[] = [[IFLA_INFO_KIND, link.kind]];
    if (link.peer !== undefined) {
      const peer = concat([ifinfomsg(), encodeAttrs([[IFLA_IFNAME, link.peer]])]);
      info.push([IFLA_INFO_DATA, [[VETH_INFO_PEER, peer]]]);
    }
    const attrs: Attr[] = [[IFLA_IFNAME, link.name], [IFLA_LINKINFO, info]];
    if (link.netnsFd !== undefined) attrs.push([IFLA_NET_NS_FD, link.netnsFd]);
    this.#request(
      "create link",
      RTM_NEWLINK,
      NLM_F_CREATE | NLM_F_EXCL,
      attrs,
      `${link.name} (${link.kind})`,
    );
  }

  /** Moves the link called `name` into the network namespace open as `netnsFd`. */
  moveLink(name: string, netnsFd: number): void {
    this.#request(
      "move link",
      RTM_SETLINK,
      0,
      [[IFLA_IFNAME, name], [IFLA_NET_NS_FD, netnsFd]],
      name,
    );
  }

  /** Deletes the link called `name` (a veth's peer goes with it). */
  deleteLink(name: string): void {
    this.#request("delete link", RTM_DELLINK, 0, [[IFLA_IFNAME, name]], name);
  }

  /** Sends one request and waits for its acknowledgement; `name` names it in errors. */
  #request(name: string, type: number, flags: number, attrs: Attr[], subject: string): void {
    const seq = ++this.#seq;
    const msg = linkRequest(type, flags, seq, attrs) as Uint8Array<ArrayBuffer>;
    check("sendmsg", Number(libc().write(this.#fd, msg, BigInt(msg.length))), "rtnetlink");
    for (;;) {
      const buf = new Uint8Array(8192);
      const n = check(
        "recvmsg",
        Number(libc().read(this.#fd, buf, BigInt(buf.length))),
        "rtnetlink",
      );
      const errno = ackErrno(buf.subarray(0, n), seq);
      if (errno === undefined) continue;
      if (errno !== 0) throw new SyscallError(name, errno, subject);
      return;
    }
  }
}
