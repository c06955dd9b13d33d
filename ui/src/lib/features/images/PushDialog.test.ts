import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import PushDialog from "./PushDialog.svelte";
import { AppModel } from "../../stores/app.svelte";
import { image, MockBackend } from "../../ipc/mock";
import { imageRows } from "./rows";

afterEach(cleanup);

async function setup(repoTags: string[]) {
  const b = new MockBackend();
  b.images = [image({ id: "sha256:" + "d".repeat(64), repoTags })];
  const m = new AppModel(b);
  await m.start();
  await waitFor(() => expect(m.images.items).toHaveLength(1));
  const row = imageRows(m.images.items)[0]!;
  const props = { model: m, row, onclose: vi.fn(), ontag: vi.fn(), onlogin: vi.fn() };
  render(PushDialog, props);
  return { b, m, props };
}

describe("PushDialog", () => {
  it("pushes the tag for a registry of one's own and shows the digest", async () => {
    const { m } = await setup(["webapp:dev", "localhost:5000/webapp:2.4.0"]);
    const select = screen.getByTestId("push-tag") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual([
      "webapp:dev",
      "localhost:5000/webapp:2.4.0",
    ]);
    expect(select.value).toBe("localhost:5000/webapp:2.4.0");
    expect(screen.queryByTestId("push-needs-tag")).toBeNull();
    await waitFor(() =>
      expect(screen.getByTestId("command-line").dataset.command).toBe(
        "docker push localhost:5000/webapp:2.4.0",
      ),
    );
    await fireEvent.click(screen.getByTestId("push-start"));
    const done = await screen.findByTestId("push-done");
    expect(done.dataset.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(done.dataset.digest).toBe(m.push.result?.digest);
    expect(screen.getByTestId("push-copy-digest")).toBeTruthy();
  });

  it("offers to log in to the registry that refused the push", async () => {
    const { props } = await setup(["ghcr.io/acme/webapp:1", "localhost:5000/webapp:1"]);
    const select = screen.getByTestId("push-tag") as HTMLSelectElement;
    expect(select.value).toBe("ghcr.io/acme/webapp:1");
    await waitFor(() =>
      expect(screen.getByTestId("push-registry").textContent).toContain("not logged in"),
    );
    await fireEvent.click(screen.getByTestId("push-start"));
    const error = await screen.findByTestId("push-error");
    expect(error.dataset.code).toBe("Unauthorized");
    await fireEvent.click(screen.getByTestId("push-login"));
    expect(props.onlogin).toHaveBeenCalledWith("ghcr.io");
  });

  it("suggests tagging first when every tag goes to Docker Hub", async () => {
    const { props } = await setup(["nginx:1.27"]);
    const note = screen.getByTestId("push-needs-tag");
    expect(note.textContent).toContain("docker.io/library/");
    // localhost:5000 is one of the registries the mock is logged in to.
    await waitFor(() => expect(note.textContent).toContain("localhost:5000/nginx:1.27"));
    await fireEvent.click(screen.getByTestId("push-tag-first"));
    expect(props.ontag).toHaveBeenCalledWith("localhost:5000/nginx:1.27");
  });

  it("cannot push an untagged image", async () => {
    await setup([]);
    expect(screen.queryByTestId("push-tag")).toBeNull();
    expect(screen.getByTestId("push-needs-tag").textContent).toContain("no tag");
    expect((screen.getByTestId("push-start") as HTMLButtonElement).disabled).toBe(true);
  });
});
