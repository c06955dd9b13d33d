import { describe, expect, it } from "vitest";
import { SettingsForm } from "./model.svelte";
import { MockBackend } from "../../ipc/mock";

describe("SettingsForm", () => {
  it("loads, edits, saves, and reports what was stored", async () => {
    const b = new MockBackend();
    const seen: string[] = [];
    const f = new SettingsForm(b, (s) => seen.push(s.theme));
    await f.load();
    expect(f.dirty).toBe(false);
    f.draft!.theme = "dark";
    f.draft!.engineHost = "  tcp://10.0.0.5:2375 ";
    expect(f.dirty).toBe(true);
    expect(await f.save()).toBe(true);
    expect(b.settings.engineHost).toBe("tcp://10.0.0.5:2375");
    expect(f.saved?.engineHost).toBe("tcp://10.0.0.5:2375");
    expect(f.dirty).toBe(false);
    expect(seen).toEqual(["dark"]);
  });

  it("puts a field error under its field and keeps the draft", async () => {
    const b = new MockBackend();
    const f = new SettingsForm(b);
    await f.load();
    f.draft!.engineHost = "htp://nope";
    expect(await f.save()).toBe(false);
    expect(f.fieldError("engineHost")).toContain("not an engine address");
    expect(f.fieldError("theme")).toBeNull();
    expect(f.draft!.engineHost).toBe("htp://nope");
    expect(b.settings.engineHost).toBeNull();
    f.revert();
    expect(f.draft!.engineHost).toBeNull();
    expect(f.error).toBeNull();
  });

  it("saves only what the form changed: what was stored meanwhile stays", async () => {
    const b = new MockBackend();
    const f = new SettingsForm(b);
    await f.load();
    f.draft!.logTailLines = 5000;
    // While the page is open: a build finishes, the theme is toggled from the palette. The
    // save below is made from settings read before either (no adopt in between).
    b.settings.recentContexts = ["/built/meanwhile"];
    b.settings.theme = "dark";
    expect(await f.save()).toBe(true);
    expect(b.settings.logTailLines).toBe(5000);
    expect(b.settings.recentContexts).toEqual(["/built/meanwhile"]);
    expect(b.settings.theme).toBe("dark");
    expect(f.saved?.theme).toBe("dark");
  });

  it("adopts settings stored elsewhere without losing the user's edits", async () => {
    const b = new MockBackend();
    const f = new SettingsForm(b);
    await f.load();
    f.draft!.logTailLines = 5000;
    const stored = { ...b.settings, theme: "dark" as const };
    f.adopt(stored);
    expect(f.saved?.theme).toBe("dark");
    expect(f.draft!.theme).toBe("dark");
    expect(f.draft!.logTailLines).toBe(5000);
    expect(f.dirty).toBe(true);
    f.draft!.logTailLines = stored.logTailLines;
    expect(f.dirty).toBe(false);
  });
});

describe("SettingsForm lists", () => {
  const line = "docker run -d --name web -p 8080:80 nginx:1.27";

  it("forgets recent build folders at once, from what is stored now, keeping other edits", async () => {
    const b = new MockBackend();
    b.settings.recentContexts = ["/a", "/b"];
    const seen: string[][] = [];
    const f = new SettingsForm(b, (s) => seen.push(s.recentContexts));
    await f.load();
    f.draft!.logTailLines = 5000;
    // A build added a folder since the page loaded.
    b.settings.recentContexts = ["/c", "/a", "/b"];
    expect(await f.forgetRecent("/a")).toBe(true);
    expect(b.settings.recentContexts).toEqual(["/c", "/b"]);
    expect(f.draft!.recentContexts).toEqual(["/c", "/b"]);
    expect(b.settings.logTailLines).toBe(1000);
    expect(f.draft!.logTailLines).toBe(5000);
    expect(await f.forgetRecent(null)).toBe(true);
    expect(b.settings.recentContexts).toEqual([]);
    expect(seen).toEqual([["/c", "/b"], []]);
  });

  it("a full save keeps a folder a build added while the page was open", async () => {
    const b = new MockBackend();
    b.settings.recentContexts = ["/a"];
    const f = new SettingsForm(b, () => {});
    await f.load();
    f.draft!.logTailLines = 5000;
    b.settings.recentContexts = ["/new", "/a"];
    b.settings.runPresets = [{ name: "web", line }];
    expect(await f.save()).toBe(true);
    expect(b.settings.logTailLines).toBe(5000);
    expect(b.settings.recentContexts).toEqual(["/new", "/a"]);
    expect(b.settings.runPresets).toEqual([{ name: "web", line }]);
  });

  it("deletes a run preset; a refusal shows under the list", async () => {
    const b = new MockBackend();
    b.settings.runPresets = [
      { name: "web", line },
      { name: "db", line: "docker run -d postgres:16" },
    ];
    const f = new SettingsForm(b);
    await f.load();
    expect(await f.deletePreset("web")).toBe(true);
    expect(b.settings.runPresets.map((p) => p.name)).toEqual(["db"]);
    expect(f.draft!.runPresets.map((p) => p.name)).toEqual(["db"]);
    expect(f.dirty).toBe(false);

    b.failOn.settingsSet = {
      code: "InvalidInput",
      message: "runPresets: nope",
      field: "runPresets",
    };
    expect(await f.deletePreset("db")).toBe(false);
    expect(f.fieldError("runPresets")).toBe("nope");
  });
});
