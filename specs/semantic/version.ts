// ociVersion: SemVer, major version 1 (config.md#specification-version).
import { SPEC_VERSION } from "../implemented.ts";
import { error, type Problem, warning } from "../problem.ts";
import type { Check } from "./context.ts";

const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export const checkVersion: Check = (config): Problem[] => {
  const v = config.ociVersion;
  const m = SEMVER.exec(v);
  if (!m) return [error("/ociVersion", `"${v}" is not a SemVer version like "${SPEC_VERSION}"`)];
  const [supportedMajor, supportedMinor] = SPEC_VERSION.split(".").map(Number);
  if (Number(m[1]) !== supportedMajor) {
    return [
      error("/ociVersion", `version ${v} is not supported: tsrun implements ${SPEC_VERSION}`),
    ];
  }
  if (Number(m[2]) > supportedMinor) {
    return [
      warning(
        "/ociVersion",
        `version ${v} is newer than ${SPEC_VERSION}, which tsrun implements: newer fields are ignored`,
      ),
    ];
  }
  return [];
};
