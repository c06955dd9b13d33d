import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import BuildRun from "../build/BuildRun.svelte";
import { BuildModel } from "../build/model.svelte";
import { MockBackend } from "../../ipc/mock";

afterEach(cleanup);

describe("Run… on a finished build", () => {
  it("runs the first tag, or the image id when untagged", async () => {
    const build = new BuildModel(new MockBackend());
    build.run = {
      state: "succeeded",
      result: {
        imageId: "sha256:" + "e".repeat(64),
        tags: ["webapp:dev", "webapp:latest"],
        durationMs: 1200,
        warnings: [],
      },
    };
    const onrun = vi.fn();
    render(BuildRun, { build, onshowimage: vi.fn(), onrun });
    await fireEvent.click(screen.getByTestId("build-run"));
    expect(onrun).toHaveBeenCalledWith("webapp:dev");
    cleanup();

    build.run = {
      state: "succeeded",
      result: { imageId: "sha256:" + "f".repeat(64), tags: [], durationMs: 900, warnings: [] },
    };
    render(BuildRun, { build, onshowimage: vi.fn(), onrun });
    await fireEvent.click(screen.getByTestId("build-run"));
    expect(onrun).toHaveBeenLastCalledWith("sha256:" + "f".repeat(64));
  });
});
