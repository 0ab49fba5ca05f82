/** importPeer: a missing optional peer is a MissingDependencyError with the install command. */
import { describe, expect, it } from "vitest";
import { MissingDependencyError } from "../../src/errors.js";
import { importPeer } from "../../src/integrations/import-peer.js";
import { rejection } from "../fixtures/errors.js";

describe("importPeer", () => {
  it("returns the module when it loads", async () => {
    const loaded = await importPeer("@lancedb/lancedb", "The test", "@lancedb/lancedb@0.31.0", () => import("@lancedb/lancedb/embedding"));
    expect(typeof loaded.getRegistry).toBe("function");
  });

  it("names the package and the install command when the package is not installed", async () => {
    // A real resolution failure, from a package name that does not exist.
    const error = await rejection(importPeer("m2v-no-such-peer", "The LanceDB embedding function", "m2v-no-such-peer@1.2.3", () => import("m2v-no-such-peer" as string)));
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(error.message).toBe(
      'The LanceDB embedding function needs the optional package "m2v-no-such-peer", which is not installed. Install it with `npm install m2v-no-such-peer@1.2.3`.',
    );
    expect((error.cause as { code?: string }).code).toMatch(/MODULE_NOT_FOUND/);
  });

  it("reports a package that is installed but fails to load, with the reinstall command", async () => {
    const error = await rejection(importPeer("broken-peer", "X", "broken-peer@1", () => Promise.reject(new TypeError("native binding missing"))));
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect(error.message).toBe('"broken-peer" is installed but could not be loaded (native binding missing). Reinstall it with `npm install broken-peer@1`.');
  });
});
