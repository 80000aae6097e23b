// errno numbers (Linux, same on x86-64 and aarch64) → names and messages.
// Made on first use, for an error's message: every command imports this module, and making the
// map at load cost ~0.3-0.8 ms of each start (measured in an unminified bundle).
const table = (): [number, string, string][] => [
  [1, "EPERM", "operation not permitted"],
  [2, "ENOENT", "no such file or directory"],
  [3, "ESRCH", "no such process"],
  [4, "EINTR", "interrupted system call"],
  [5, "EIO", "input/output error"],
  [6, "ENXIO", "no such device or address"],
  [7, "E2BIG", "argument list too long"],
  [8, "ENOEXEC", "exec format error"],
  [9, "EBADF", "bad file descriptor"],
  [10, "ECHILD", "no child processes"],
  [11, "EAGAIN", "resource temporarily unavailable"],
  [12, "ENOMEM", "cannot allocate memory"],
  [13, "EACCES", "permission denied"],
  [14, "EFAULT", "bad address"],
  [15, "ENOTBLK", "block device required"],
  [16, "EBUSY", "device or resource busy"],
  [17, "EEXIST", "file exists"],
  [18, "EXDEV", "invalid cross-device link"],
  [19, "ENODEV", "no such device"],
  [20, "ENOTDIR", "not a directory"],
  [21, "EISDIR", "is a directory"],
  [22, "EINVAL", "invalid argument"],
  [23, "ENFILE", "too many open files in system"],
  [24, "EMFILE", "too many open files"],
  [25, "ENOTTY", "inappropriate ioctl for device"],
  [26, "ETXTBSY", "text file busy"],
  [27, "EFBIG", "file too large"],
  [28, "ENOSPC", "no space left on device"],
  [29, "ESPIPE", "illegal seek"],
  [30, "EROFS", "read-only file system"],
  [31, "EMLINK", "too many links"],
  [32, "EPIPE", "broken pipe"],
  [34, "ERANGE", "numerical result out of range"],
  [36, "ENAMETOOLONG", "file name too long"],
  [38, "ENOSYS", "function not implemented"],
  [39, "ENOTEMPTY", "directory not empty"],
  [40, "ELOOP", "too many levels of symbolic links"],
  [61, "ENODATA", "no data available"],
  [75, "EOVERFLOW", "value too large for defined data type"],
  [88, "ENOTSOCK", "socket operation on non-socket"],
  [95, "EOPNOTSUPP", "operation not supported"],
  [104, "ECONNRESET", "connection reset by peer"],
  [110, "ETIMEDOUT", "connection timed out"],
  [111, "ECONNREFUSED", "connection refused"],
  [122, "EDQUOT", "disk quota exceeded"],
];

let byNumber: Map<number, { name: string; msg: string }> | undefined;

function entry(errno: number): { name: string; msg: string } | undefined {
  byNumber ??= new Map(table().map(([n, name, msg]) => [n, { name, msg }]));
  return byNumber.get(errno);
}

export function errnoName(errno: number): string {
  return entry(errno)?.name ?? `E${errno}`;
}

export function errnoMessage(errno: number): string {
  return entry(errno)?.msg ?? `errno ${errno}`;
}

export const EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EAGAIN = 11, EEXIST = 17, EINVAL = 22;
export const EBUSY = 16, ETXTBSY = 26, EROFS = 30, ENOSYS = 38, ECONNRESET = 104;
