import { errnoMessage, errnoName } from "./errno.ts";

/** A failed system call: which call, its errno and the path or argument it was about. */
export class SyscallError extends Error {
  readonly errnoName: string;
  constructor(readonly syscall: string, readonly errno: number, readonly subject?: string) {
    super(
      `${syscall}${subject ? ` ${subject}` : ""}: ${errnoMessage(errno)} (${errnoName(errno)})`,
    );
    this.name = "SyscallError";
    this.errnoName = errnoName(errno);
  }
}
