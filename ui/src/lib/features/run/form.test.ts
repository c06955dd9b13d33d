import { describe, expect, it } from "vitest";
import {
  defaultSpec,
  fieldRoot,
  fieldsFromSpec,
  formField,
  hasAdvanced,
  joinWords,
  modeOf,
  setMode,
  specFromFields,
} from "./form";
import type { RunSpec } from "./types";

const full: RunSpec = {
  ...defaultSpec("nginx:1.27"),
  name: "web",
  detach: false,
  interactive: true,
  tty: true,
  remove: true,
  ports: ["8080:80", "127.0.0.1:8443:443/tcp"],
  publishAll: true,
  volumes: [
    { source: "/srv/site", target: "/usr/share/nginx/html", readOnly: true },
    { source: "", target: "/cache", readOnly: false },
  ],
  env: [{ key: "A", value: " spaced " }],
  envFiles: ["/home/me/.env"],
  labels: [{ key: "team", value: "web" }],
  restart: { policy: "on-failure", maxRetries: 3 },
  entrypoint: "/bin/sh",
  command: ["-c", "echo it's here; sleep 1d"],
  workdir: "/app",
  user: "1000:1000",
  hostname: "box",
  network: "host",
  pid: "host",
  privileged: true,
};

describe("the run form", () => {
  it("round-trips every field of a spec", () => {
    const f = fieldsFromSpec(full);
    expect(f.command).toBe(`-c 'echo it'\\''s here; sleep 1d'`);
    expect(specFromFields(f, full.command).spec).toEqual(full);
  });

  it("starts detached with nothing set", () => {
    const f = fieldsFromSpec(defaultSpec("redis:7"));
    expect(modeOf(f)).toBe("detached");
    expect(hasAdvanced(f)).toBe(false);
    expect(specFromFields(f, []).spec).toEqual(defaultSpec("redis:7"));
  });

  it("drops blank rows and trims, remembering which row each entry came from", () => {
    const f = fieldsFromSpec(defaultSpec(" nginx "));
    f.name = "  ";
    f.ports = ["", " 8080:80 ", "  ", "99999:80"];
    f.env = [
      { key: "", value: "" },
      { key: " KEY ", value: " v " },
    ];
    f.volumes = [
      { source: " ", target: "", readOnly: false },
      { source: "data", target: " /data ", readOnly: false },
    ];
    f.workdir = " ";
    const { spec, rows } = specFromFields(f, []);
    expect(spec.image).toBe("nginx");
    expect(spec.name).toBeNull();
    expect(spec.workdir).toBeNull();
    expect(spec.ports).toEqual(["8080:80", "99999:80"]);
    expect(spec.env).toEqual([{ key: "KEY", value: " v " }]);
    expect(spec.volumes).toEqual([{ source: "data", target: "/data", readOnly: false }]);
    expect(rows.ports).toEqual([1, 3]);
    expect(formField("ports[1]", rows)).toBe("ports[3]");
    expect(formField("env[0].key", rows)).toBe("env[1].key");
    expect(formField("volumes[0].source", rows)).toBe("volumes[1].source");
    expect(formField("ports[7]", rows)).toBe("ports");
    expect(formField("name", rows)).toBe("name");
  });

  it("keeps on-failure's retries only for on-failure", () => {
    const f = fieldsFromSpec(defaultSpec("x"));
    f.restart = "on-failure";
    expect(specFromFields(f, []).spec.restart).toEqual({ policy: "on-failure", maxRetries: null });
    f.maxRetries = 5;
    expect(specFromFields(f, []).spec.restart).toEqual({ policy: "on-failure", maxRetries: 5 });
    f.restart = "always";
    expect(specFromFields(f, []).spec.restart).toEqual({ policy: "always" });
  });

  it("sets the flags of a mode", () => {
    const f = fieldsFromSpec(defaultSpec("x"));
    setMode(f, "attached");
    expect([f.detach, f.interactive, f.tty]).toEqual([false, false, false]);
    setMode(f, "interactive");
    expect([f.detach, f.interactive, f.tty]).toEqual([true, true, true]);
    expect(modeOf(f)).toBe("interactive");
    setMode(f, "detached");
    expect([f.detach, f.interactive, f.tty]).toEqual([true, false, false]);
  });

  it("quotes words so the shell splits them back", () => {
    expect(joinWords(["npm", "run", "start:prod"])).toBe("npm run start:prod");
    expect(joinWords(["sh", "-c", "a b", ""])).toBe("sh -c 'a b' ''");
    expect(fieldRoot("volumes[0].source")).toBe("volumes");
    expect(fieldRoot("ports[2]")).toBe("ports");
  });
});
