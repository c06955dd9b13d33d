// The "Log in" form. It lives only as long as its dialog: the password is handed to the engine
// and forgotten — cleared after every attempt, failed or not, and when the dialog closes.

import { toIpcError, type Backend, type IpcError, type LoggedIn } from "../../ipc/backend";
import { normalizeRegistry } from "../../registry";

export type LoginField = "registry" | "username" | "password";
export type LoginErrors = Partial<Record<LoginField, string>>;

export const LOGIN_FIELDS: LoginField[] = ["registry", "username", "password"];

/** What is wrong with the form before asking the engine (the engine checks again). */
export function checkLogin(v: {
  registry: string;
  username: string;
  password: string;
}): LoginErrors {
  const errors: LoginErrors = {};
  const registry = normalizeRegistry(v.registry);
  if (!registry)
    errors.registry =
      "Enter a registry host, e.g. ghcr.io or localhost:5000 (docker.io for Docker Hub).";
  else if (/\s/.test(registry)) errors.registry = "A registry host has no spaces.";
  else if (registry.includes("/"))
    errors.registry = `Enter only the host (${registry.split("/")[0]}), not a repository path.`;
  if (!v.username.trim()) errors.username = "Enter the user name.";
  if (!v.password) errors.password = "Enter the password or token.";
  return errors;
}

export class LoginForm {
  registry = $state("");
  username = $state("");
  password = $state("");
  busy = $state(false);
  /** Messages next to the fields. */
  fieldErrors = $state<LoginErrors>({});
  /** A refusal or failure about the whole login (Unauthorized, Failed, engine unreachable). */
  error = $state<IpcError | null>(null);

  constructor(
    private readonly backend: Backend,
    registry = "",
    username = "",
  ) {
    this.registry = registry;
    this.username = username;
  }

  /** The first field with an error, to focus. */
  get firstInvalid(): LoginField | null {
    return LOGIN_FIELDS.find((f) => this.fieldErrors[f]) ?? null;
  }

  /** Logs in; null when it failed (the errors say why). The password is cleared either way. */
  async submit(): Promise<LoggedIn | null> {
    if (this.busy) return null;
    const password = this.password;
    this.password = "";
    this.error = null;
    const errors = checkLogin({ registry: this.registry, username: this.username, password });
    this.fieldErrors = errors;
    if (Object.keys(errors).length) return null;
    this.busy = true;
    try {
      return await this.backend.registryLogin(
        normalizeRegistry(this.registry),
        this.username.trim(),
        password,
      );
    } catch (e) {
      const err = toIpcError(e);
      if (err.code === "InvalidInput" && LOGIN_FIELDS.includes(err.field as LoginField))
        this.fieldErrors = { [err.field as LoginField]: err.message };
      else this.error = err;
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** Forgets the password (the dialog is closing). */
  dispose(): void {
    this.password = "";
  }
}
