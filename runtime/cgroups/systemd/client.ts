// The calls the systemd cgroup driver makes to systemd's manager object, over its private
// socket as root (what runc and systemctl use: no bus daemon needed) or the system bus.
import { Connection, DbusError } from "../../dbus/conn.ts";
import type { Message, Value } from "../../dbus/wire.ts";
import { CgroupError } from "../files.ts";
import type { Property } from "./properties.ts";

const PRIVATE_SOCKET = "/run/systemd/private";
const SYSTEM_BUS = "/run/dbus/system_bus_socket";
const MANAGER = "org.freedesktop.systemd1.Manager";
const TARGET = { destination: "org.freedesktop.systemd1", path: "/org/freedesktop/systemd1" };
const NO_SUCH_UNIT = "org.freedesktop.systemd1.NoSuchUnit";
/** A scope starts and stops in milliseconds; a job still queued after this is stuck. */
const JOB_TIMEOUT_MS = 30_000;

/** The system bus's socket: $DBUS_SYSTEM_BUS_ADDRESS when it is a unix path, else the usual. */
function systemBus(): string {
  const address = Deno.env.get("DBUS_SYSTEM_BUS_ADDRESS") ?? "";
  return /^unix:path=([^,;]+)/.exec(address)?.[1] ?? SYSTEM_BUS;
}

/** An error systemd answered with; `dbusName` tells which ("...NoSuchUnit"). */
export class SystemdError extends CgroupError {
  constructor(message: string, readonly dbusName: string) {
    super(message);
  }
}

export class Systemd {
  #conn?: Connection;

  #connection(): Connection {
    if (this.#conn) return this.#conn;
    const root = Deno.uid() === 0;
    try {
      this.#conn = Connection.open(root ? PRIVATE_SOCKET : systemBus(), !root);
      if (!root) {
        // A bus delivers signals only to who asked for them; the private socket sends a job's
        // signals to the connection that queued it.
        this.#conn.call({
          destination: "org.freedesktop.DBus",
          path: "/org/freedesktop/DBus",
          interface: "org.freedesktop.DBus",
          member: "AddMatch",
          signature: "s",
          body: [`type='signal',interface='${MANAGER}',member='JobRemoved'`],
        });
      }
    } catch (e) {
      throw new CgroupError(`cannot reach systemd: ${(e as Error).message}`);
    }
    return this.#conn;
  }

  #call(
    what: string,
    member: string,
    signature: string,
    body: Value[],
    iface = MANAGER,
    path = TARGET.path,
  ) {
    return this.#answer(what, () => {
      const call = { ...TARGET, path, interface: iface, member, signature, body };
      return this.#connection().call(call);
    });
  }

  /** `talk()`, with what systemd answered as a SystemdError saying `what` was asked. */
  #answer<T>(what: string, talk: () => T): T {
    try {
      return talk();
    } catch (e) {
      if (e instanceof DbusError) {
        throw new SystemdError(`systemd: ${what}: ${e.message}`, e.errorName);
      }
      throw e;
    }
  }

  /** Waits for the job `reply` names; throws unless it ended "done". */
  #await(what: string, reply: Value[]): void {
    const job = reply[0];
    const ended = this.#connection().signal(
      (m: Message) => m.member === "JobRemoved" && m.body?.[1] === job,
      JOB_TIMEOUT_MS,
    );
    if (!ended) throw new CgroupError(`systemd: ${what}: job ${job} did not finish`);
    const result = ended.body?.[3];
    if (result !== "done") throw new CgroupError(`systemd: ${what}: the job ended "${result}"`);
  }

  /** systemd's own root cgroup ("" at the hierarchy's root), which its unit paths are under. */
  rootCgroup(): string {
    const [[, value]] = this.#call(
      "read its root cgroup",
      "Get",
      "ss",
      [MANAGER, "ControlGroup"],
      "org.freedesktop.DBus.Properties",
    ) as [[string, string]];
    return value === "/" ? "" : value;
  }

  /** A loaded unit's Description=, or undefined when no such unit is loaded. */
  description(unit: string): string | undefined {
    let path: string;
    try {
      [path] = this.#call(`look up ${unit}`, "GetUnit", "s", [unit]) as [string];
    } catch (e) {
      if (e instanceof SystemdError && e.dbusName === NO_SUCH_UNIT) return undefined;
      throw e;
    }
    const [[, value]] = this.#call(
      `read ${unit}`,
      "Get",
      "ss",
      ["org.freedesktop.systemd1.Unit", "Description"],
      "org.freedesktop.DBus.Properties",
      path,
    ) as [[string, string]];
    return value;
  }

  /**
   * Asks systemd to start the scope and returns at once: what it returns waits until systemd
   * has (and throws what it said), so the caller can do other work meanwhile.
   */
  startScope(unit: string, properties: Property[]): () => void {
    const what = `start ${unit}`;
    const serial = this.#answer(what, () =>
      this.#connection().send({
        ...TARGET,
        interface: MANAGER,
        member: "StartTransientUnit",
        signature: "ssa(sv)a(sa(sv))",
        body: [unit, "replace", properties, []],
      }));
    return () => {
      const job = this.#answer(what, () => this.#connection().reply(serial, "StartTransientUnit"));
      this.#await(what, job);
    };
  }

  setProperties(unit: string, properties: Property[]): void {
    this.#call(`set properties of ${unit}`, "SetUnitProperties", "sba(sv)", [
      unit,
      true,
      properties,
    ]);
  }

  /** Stops the unit and forgets it (a failed unit stays loaded otherwise); gone already is fine. */
  stopUnit(unit: string): void {
    const what = `stop ${unit}`;
    try {
      this.#await(what, this.#call(what, "StopUnit", "ss", [unit, "replace"]));
    } catch (e) {
      if (!(e instanceof SystemdError && e.dbusName === NO_SUCH_UNIT)) throw e;
    }
    try {
      this.#call(`reset ${unit}`, "ResetFailedUnit", "s", [unit]);
    } catch (e) {
      // Gone, or loaded but not failed: nothing to forget.
      if (!(e instanceof SystemdError)) throw e;
    }
  }
}
