// A one-layer OCI image archive of the test busybox rootfs, built offline, for engine features
// that need an image rather than a rootfs directory (ctr applies --uidmap only to images).
import { join } from "node:path";
import { buildRootfs } from "../helpers/mod.ts";
import { command, mustSucceed } from "./command.ts";

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Writes `<dir>/image.tar`, an OCI archive of busybox named `name`; returns its path. */
export async function busyboxImageArchive(dir: string, name: string): Promise<string> {
  const layout = join(dir, "layout");
  const blobs = join(layout, "blobs", "sha256");
  Deno.mkdirSync(blobs, { recursive: true });
  const blob = async (data: Uint8Array<ArrayBuffer>, mediaType: string) => {
    const digest = await sha256(data);
    Deno.writeFileSync(join(blobs, digest), data);
    return { mediaType, digest: `sha256:${digest}`, size: data.length };
  };
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

  const rootfs = join(dir, "rootfs");
  buildRootfs(rootfs);
  const layerTar = join(dir, "layer.tar");
  await mustSucceed(command(["tar", "-C", rootfs, "-cf", layerTar, "."]), "tar the layer");
  const layer = await blob(Deno.readFileSync(layerTar), "application/vnd.oci.image.layer.v1.tar");
  const config = await blob(
    json({
      architecture: Deno.build.arch === "aarch64" ? "arm64" : "amd64",
      os: "linux",
      rootfs: { type: "layers", diff_ids: [layer.digest] },
      config: { Cmd: ["sh"] },
    }),
    "application/vnd.oci.image.config.v1+json",
  );
  const manifest = await blob(
    json({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config,
      layers: [layer],
    }),
    "application/vnd.oci.image.manifest.v1+json",
  );
  Deno.writeTextFileSync(join(layout, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  Deno.writeTextFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...manifest, annotations: { "io.containerd.image.name": name } }],
    }),
  );
  const archive = join(dir, "image.tar");
  await mustSucceed(command(["tar", "-C", layout, "-cf", archive, "."]), "tar the image");
  return archive;
}
