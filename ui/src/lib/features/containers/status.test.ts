import { describe, expect, it } from "vitest";
import {
  canDo,
  defaultAction,
  exitCodeOf,
  nameList,
  nameProblem,
  portLinks,
  portUrl,
  reached,
  reportText,
  stateLabel,
} from "./status";
import { container, portUrlOk } from "../../ipc/mock";

describe("stateLabel", () => {
  it("shows the exit code of an exited container", () => {
    expect(stateLabel({ state: "exited", status: "Exited (137) 2 hours ago" })).toBe(
      "exited (137)",
    );
    expect(stateLabel({ state: "exited", status: "Exited (0) Less than a second ago" })).toBe(
      "exited (0)",
    );
    expect(stateLabel({ state: "running", status: "Up 2 minutes" })).toBe("running");
    expect(stateLabel({ state: "created", status: "Created" })).toBe("created");
    expect(exitCodeOf("Up 3 hours")).toBeNull();
  });
});

describe("canDo", () => {
  it("offers what the state allows", () => {
    const offered = (state: string) =>
      (["start", "stop", "restart", "pause", "unpause", "kill", "remove"] as const).filter((k) =>
        canDo(k, state),
      );
    expect(offered("running")).toEqual(["stop", "restart", "pause", "kill", "remove"]);
    expect(offered("paused")).toEqual(["stop", "restart", "unpause", "kill", "remove"]);
    expect(offered("exited")).toEqual(["start", "restart", "remove"]);
    expect(offered("created")).toEqual(["start", "restart", "remove"]);
  });

  it("knows when an action's effect shows", () => {
    const web = container({ name: "web", state: "exited" });
    expect(reached("stop", web)).toBe(true);
    expect(reached("start", web)).toBe(false);
    expect(reached("remove", web)).toBe(false);
    expect(reached("remove", undefined)).toBe(true);
    expect(reached("restart", web)).toBeNull();
  });

  it("uses the daemon's defaults", () => {
    expect(defaultAction("stop")).toEqual({ kind: "stop", timeout: null });
    expect(defaultAction("kill")).toEqual({ kind: "kill", signal: null });
    expect(defaultAction("remove")).toEqual({ kind: "remove", force: false, volumes: false });
    expect(defaultAction("pause")).toEqual({ kind: "pause" });
  });
});

describe("portLinks", () => {
  it("gives published TCP ports an address, once for both wildcards", () => {
    expect(
      portLinks([
        { ip: "0.0.0.0", privatePort: 80, publicPort: 8080, protocol: "tcp" },
        { ip: "::", privatePort: 80, publicPort: 8080, protocol: "tcp" },
        { ip: "127.0.0.1", privatePort: 3000, publicPort: 3001, protocol: "tcp" },
        { ip: "0.0.0.0", privatePort: 53, publicPort: 5353, protocol: "udp" },
        { ip: null, privatePort: 443, publicPort: null, protocol: "tcp" },
        { ip: "::1", privatePort: 80, publicPort: 8443, protocol: "tcp" },
        { ip: "", privatePort: 22, publicPort: 2222, protocol: "tcp" },
        { ip: null, privatePort: 25, publicPort: 2525, protocol: "tcp" },
      ]),
    ).toEqual([
      { label: "8080→80", url: "http://localhost:8080/" },
      { label: "127.0.0.1:3001→3000", url: "http://127.0.0.1:3001/" },
      { label: "5353→53/udp", url: null },
      { label: "443", url: null },
      { label: "[::1]:8443→80", url: "http://[::1]:8443/" },
      { label: "2222→22", url: "http://localhost:2222/" },
      { label: "2525→25", url: "http://localhost:2525/" },
    ]);
  });

  it("builds exactly the address form the app opens", () => {
    expect(portUrl("0.0.0.0", 80)).toBe("http://localhost:80/");
    expect(portUrl("::", 80)).toBe("http://localhost:80/");
    expect(portUrl(null, 80)).toBe("http://localhost:80/");
    expect(portUrl("", 80)).toBe("http://localhost:80/");
    expect(portUrl("192.168.1.5", 8080)).toBe("http://192.168.1.5:8080/");
    expect(portUrl("fe80::1", 8080)).toBe("http://[fe80::1]:8080/");
    for (const u of [portUrl(null, 1), portUrl("10.0.0.1", 65535), portUrl("::1", 443)])
      expect(portUrlOk(u)).toBe(true);
  });
});

describe("reportText", () => {
  it("names what was done and counts failures", () => {
    const names: Record<string, string> = { a: "web", b: "db", c: "cache", d: "job" };
    const nameOf = (id: string) => names[id] ?? id;
    expect(reportText("stop", { done: ["a", "b"], failed: [] }, nameOf)).toBe("Stopped web and db");
    expect(
      reportText(
        "remove",
        { done: ["a", "b", "c", "d"], failed: [{ id: "x", code: "Conflict", message: "no" }] },
        nameOf,
      ),
    ).toBe("Removed 4 containers; 1 failed");
    expect(
      reportText(
        "pause",
        { done: [], failed: [{ id: "a", code: "Conflict", message: "" }] },
        nameOf,
      ),
    ).toBe("Nothing was paused; 1 failed");
    expect(nameList(["web", "db", "cache"])).toBe("web, db and cache");
  });
});

describe("nameProblem", () => {
  it("follows Docker's container name rule", () => {
    expect(nameProblem("web-2.prod_a")).toBeNull();
    expect(nameProblem("  ")).toBe("A container needs a name.");
    expect(nameProblem("my app")).toBe("No spaces: letters, digits, “_”, “.” and “-” only.");
    expect(nameProblem("-web")).toBe("Start with a letter or a digit.");
    expect(nameProblem("web/1:x")).toBe(
      "“/:” cannot be used: letters, digits, “_”, “.” and “-” only.",
    );
    expect(nameProblem("a")).toBe("Two characters at least.");
  });
});
