import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import RegistriesPage from "./RegistriesPage.svelte";
import { AppModel } from "../../stores/app.svelte";
import { MockBackend } from "../../ipc/mock";

afterEach(cleanup);

const rows = () => screen.queryAllByTestId("registry-row");

describe("RegistriesPage", () => {
  it("lists the logins with where their credentials live, and logs out after a confirm", async () => {
    const b = new MockBackend();
    const m = new AppModel(b);
    render(RegistriesPage, { model: m });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const hub = rows().find((r) => r.dataset.registry === "docker.io")!;
    expect(hub.textContent).toContain("alice");
    expect(hub.textContent).toContain("credential helper docker-credential-secretservice");
    expect(hub.textContent).toContain("Docker Hub");
    const local = rows().find((r) => r.dataset.registry === "localhost:5000")!;
    expect(local.textContent).toContain("~/.docker/config.json");

    await fireEvent.click(within(hub).getByTestId("registry-logout"));
    expect(rows()).toHaveLength(2);
    const confirm = screen.getByTestId("logout-dialog").textContent?.replace(/\s+/g, " ");
    expect(confirm).toContain("Log out of docker.io as alice?");
    await waitFor(() =>
      expect(screen.getAllByTestId("command-line").at(-1)?.dataset.command).toBe(
        "docker logout docker.io",
      ),
    );
    await fireEvent.click(screen.getByTestId("logout-confirm"));
    await waitFor(() => expect(rows().map((r) => r.dataset.registry)).toEqual(["localhost:5000"]));
    expect(m.notice?.text).toBe("Logged out of docker.io");
  });

  it("logs in from the page and lists the new login", async () => {
    const b = new MockBackend();
    b.registries = [];
    b.credentialStore = { kind: "keychain" };
    const m = new AppModel(b);
    render(RegistriesPage, { model: m });
    expect(await screen.findByTestId("empty")).toBeTruthy();
    await fireEvent.click(screen.getByTestId("login-open"));
    const set = (id: string, value: string) =>
      fireEvent.input(screen.getByTestId(id), { target: { value } });
    await set("login-registry", "ghcr.io");
    await set("login-username", "alice");
    await set("login-password", "token");
    await fireEvent.click(screen.getByTestId("login-submit"));
    await waitFor(() => expect(rows().map((r) => r.dataset.registry)).toEqual(["ghcr.io"]));
    expect(rows()[0]?.textContent).toContain("OS keychain");
    expect(screen.queryByTestId("login-dialog")).toBeNull();
  });
});
