// hostname and domainname: need a UTS namespace (runc refuses to change the host's) and must
// fit what sethostname(2)/setdomainname(2) accept.
import { error, type Problem } from "../problem.ts";
import { type Check, hasNamespace } from "./context.ts";

/** HOST_NAME_MAX: the kernel rejects longer names with EINVAL. */
const MAX = 64;

export const checkUts: Check = (config) => {
  const out: Problem[] = [];
  for (const key of ["hostname", "domainname"] as const) {
    const name = config[key];
    if (name === undefined || name === "") continue;
    if (!hasNamespace(config, "uts")) {
      out.push(error(`/${key}`, `setting the ${key} needs a uts namespace in linux.namespaces`));
    }
    if (new TextEncoder().encode(name).length > MAX) {
      out.push(error(`/${key}`, `longer than ${MAX} bytes`));
    }
  }
  return out;
};
