import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hubSettings } from "../../src/hub/settings.js";

describe("hubSettings reads the environment as Python's huggingface_hub does", () => {
  it("defaults to huggingface.co and ~/.cache/huggingface/hub", () => {
    const settings = hubSettings({}, {});
    expect(settings.endpoint).toBe("https://huggingface.co");
    expect(settings.cacheDir).toBe(join(homedir(), ".cache", "huggingface", "hub"));
    expect(settings.offline).toBe(false);
    expect(settings.timeoutMs).toBe(10_000);
    expect(settings.deadlineMs).toBe(30 * 60_000);
  });

  it("honours HF_HUB_CACHE over HF_HOME, and XDG_CACHE_HOME under both", () => {
    expect(hubSettings({}, { HF_HUB_CACHE: "/c", HF_HOME: "/h" }).cacheDir).toBe("/c");
    expect(hubSettings({}, { HF_HOME: "/h" }).cacheDir).toBe(join("/h", "hub"));
    expect(hubSettings({}, { XDG_CACHE_HOME: "/x" }).cacheDir).toBe(join("/x", "huggingface", "hub"));
    expect(hubSettings({ cacheDir: "/o" }, { HF_HUB_CACHE: "/c" }).cacheDir).toBe("/o");
  });

  it("honours HF_ENDPOINT, HF_HUB_OFFLINE and HF_HUB_DOWNLOAD_TIMEOUT", () => {
    const settings = hubSettings({}, { HF_ENDPOINT: "http://127.0.0.1:5000/", HF_HUB_OFFLINE: "1", HF_HUB_DOWNLOAD_TIMEOUT: "2.5" });
    expect([settings.endpoint, settings.offline, settings.timeoutMs]).toEqual(["http://127.0.0.1:5000", true, 2500]);
    expect(hubSettings({}, { HF_HUB_OFFLINE: "0" }).offline).toBe(false);
    expect(hubSettings({ offline: true }, {}).offline).toBe(true);
  });

  it("takes the deadline of a request from MODEL2VEC_HUB_DEADLINE, in seconds", () => {
    expect(hubSettings({}, { MODEL2VEC_HUB_DEADLINE: "1.5" }).deadlineMs).toBe(1500);
    expect(hubSettings({}, { MODEL2VEC_HUB_DEADLINE: "-1" }).deadlineMs).toBe(30 * 60_000);
  });

  it("takes the token from the option, HF_TOKEN, then the token file of huggingface-cli login", async () => {
    const home = await mkdtemp(join(tmpdir(), "m2v-token-"));
    try {
      await writeFile(join(home, "token"), "hf_from_file\n");
      expect(hubSettings({}, { HF_HOME: home }).token).toBe("hf_from_file");
      expect(hubSettings({}, { HF_HOME: home, HF_TOKEN: "hf_env" }).token).toBe("hf_env");
      expect(hubSettings({ token: "hf_option" }, { HF_HOME: home, HF_TOKEN: "hf_env" }).token).toBe("hf_option");
      expect(hubSettings({}, { HF_HOME: join(home, "none") }).token).toBeUndefined();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
