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
