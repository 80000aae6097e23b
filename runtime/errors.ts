/** A failure whose message is the one line the user should see. */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}
