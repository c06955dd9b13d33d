import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import LoginDialog from "./LoginDialog.svelte";
import { MockBackend } from "../../ipc/mock";

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;

async function fill(registry: string, user: string, password: string) {
  if (registry) await fireEvent.input(input("login-registry"), { target: { value: registry } });
  await fireEvent.input(input("login-username"), { target: { value: user } });
  await fireEvent.input(input("login-password"), { target: { value: password } });
  await fireEvent.click(screen.getByTestId("login-submit"));
}

afterEach(cleanup);

describe("LoginDialog", () => {
  it("shows a refusal in the dialog and empties the password field", async () => {
    const b = new MockBackend();
    const onloggedin = vi.fn();
    render(LoginDialog, { backend: b, onclose: () => {}, onloggedin });
    expect(input("login-password").type).toBe("password");
    expect(input("login-registry").placeholder).toBe("docker.io");
    await fill("ghcr.io", "alice", "wrong");
    const alert = await screen.findByTestId("login-error");
    expect(alert.dataset.code).toBe("Unauthorized");
    expect(alert.textContent).toContain("Credentials refused");
    expect(input("login-password").value).toBe("");
    expect(input("login-username").value).toBe("alice");
    expect(onloggedin).not.toHaveBeenCalled();
  });

  it("puts field errors next to the fields", async () => {
    render(LoginDialog, { backend: new MockBackend(), onclose: () => {}, onloggedin: () => {} });
    await fill("", "", "pw");
    expect(screen.getByTestId("login-error-registry").textContent).toContain("registry host");
    expect(screen.getByTestId("login-error-username").textContent).toContain("user name");
    expect(input("login-registry").getAttribute("aria-invalid")).toBe("true");
    expect(input("login-registry").getAttribute("aria-describedby")).toBe("login-registry-error");
    expect(screen.queryByTestId("login-error")).toBeNull();
    expect(input("login-password").value).toBe("");
  });

  it("logs in with a prefilled registry and shows the command without the password", async () => {
    const b = new MockBackend();
    const onloggedin = vi.fn();
    render(LoginDialog, { backend: b, registry: "ghcr.io", onclose: () => {}, onloggedin });
    expect(input("login-registry").value).toBe("ghcr.io");
    await fill("", "alice", "s3cret");
    await waitFor(() => expect(onloggedin).toHaveBeenCalledOnce());
    expect(onloggedin.mock.calls[0]?.[0]).toMatchObject({ registry: "ghcr.io", username: "alice" });
    await waitFor(() =>
      expect(screen.getByTestId("command-line").dataset.command).toBe(
        "docker login -u alice ghcr.io",
      ),
    );
    expect(JSON.stringify(b.log)).not.toContain("s3cret");
  });
});
