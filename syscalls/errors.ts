import { errnoMessage, errnoName } from "./errno.ts";

/**
 * A failed system call: which call, its errno and the path or argument it was about. Most are
 * expected and caught by errno (ENOENT, EEXIST): the message and the errno's name are made when
 * read, since the errno table behind them costs a process ~0.4 ms the first time (the init met
 * one on its common path, a mount point to create).
 */
export class SyscallError extends Error {
  constructor(readonly syscall: string, readonly errno: number, readonly subject?: string) {
    super();
    this.name = "SyscallError";
  }

  get errnoName(): string {
    return errnoName(this.errno);
  }
}

// On the prototype: Error declares `message` a property, which a subclass may not redeclare as
// an accessor; the constructor above leaves the instance without an own one.
Object.defineProperty(SyscallError.prototype, "message", {
  get(this: SyscallError): string {
    const about = this.subject ? ` ${this.subject}` : "";
    return `${this.syscall}${about}: ${errnoMessage(this.errno)} (${this.errnoName})`;
  },
});
