import { describe, expect, it } from "vitest";
import { matchTerm, rank, score } from "./match";

describe("matchTerm", () => {
  it("tells a word's start from inside a word from letters in order", () => {
    expect(matchTerm("ima", "go to images")).toBe(0);
    expect(matchTerm("tag", "nginx:1.27-tag")).toBe(0); // after "-"
    expect(matchTerm("ages", "go to images")).toBe(1);
    expect(matchTerm("gtim", "go to images")).toBe(2);
    expect(matchTerm("xyz", "go to images")).toBeNull();
    // Letters in order must start a word.
    expect(matchTerm("ngi", "log in to a registry")).toBeNull();
    expect(matchTerm("rgy", "log in to a registry")).toBe(2);
    // A later occurrence at a word start counts.
    expect(matchTerm("web", "myweb web-1")).toBe(0);
  });
});

describe("score", () => {
  it("needs every word, in any order, case-insensitively", () => {
    expect(score("WEB stop", "Stop web")).not.toBeNull();
    expect(score("stop db", "Stop web")).toBeNull();
    expect(score("", "anything")).toBe(0);
    expect(score("   ", "anything")).toBe(0);
  });

  it("ranks a word's start before inside before letters in order", () => {
    const prefix = score("pru", "Prune images…")!;
    const inside = score("une", "Prune images…")!;
    const letters = score("pnim", "Prune images…")!;
    expect(prefix).toBeLessThan(inside);
    expect(inside).toBeLessThan(letters);
  });

  it("searches the extra text for word starts and insides, never scattered letters", () => {
    expect(score("pull", "Pull an image…", "docker pull download")).toBe(
      score("pull", "Pull an image…"),
    );
    expect(score("down", "Pull an image…", "docker pull download")).not.toBeNull();
    expect(score("ownl", "Pull an image…", "docker pull download")).not.toBeNull();
    // s-t-o-p scattered through "registries page show open": not a match.
    expect(score("stop", "Go to Registries", "page show open")).toBeNull();
    // Scattered through the title itself: a (weak) match.
    expect(score("gtr", "Go to Registries", "page show open")).toBeGreaterThanOrEqual(2000);
  });

  it("puts the text that starts with the query first among equals", () => {
    expect(score("stop web", "Stop web")!).toBeLessThan(score("stop web", "web — Stop")!);
  });
});

describe("rank", () => {
  const titles = [
    "Go to Images",
    "Pull an image…",
    "Prune images…",
    "Show nginx:1.27",
    "Run nginx:1.27…",
    "Restart web",
  ];

  it("orders word starts, then insides, then letters in order, keeping ties in order", () => {
    const r = rank(titles, "im", (t) => t);
    expect(r.items).toEqual(["Go to Images", "Pull an image…", "Prune images…"]);
    expect(rank(titles, "ages", (t) => t).items).toEqual(["Go to Images", "Prune images…"]);
    expect(rank(["a big espresso", "Go to Images"], "ages", (t) => t).items).toEqual([
      "Go to Images",
      "a big espresso",
    ]);
    // "rsw": R-e-s-tart-W-eb, letters in order only.
    expect(rank(titles, "rsw", (t) => t).items).toEqual(["Restart web"]);
    // "ngi": a word start in the two nginx rows, inside nothing else.
    expect(rank(titles, "ngi", (t) => t).items).toEqual(["Show nginx:1.27", "Run nginx:1.27…"]);
  });

  it("prefers a word-start match over an earlier inside match", () => {
    const r = rank(["Unrun things", "Run nginx:1.27…"], "run", (t) => t);
    expect(r.items).toEqual(["Run nginx:1.27…", "Unrun things"]);
  });

  it("caps the rows and counts every match", () => {
    const many = Array.from({ length: 80 }, (_, i) => `container ${i}`);
    const r = rank(many, "cont", (t) => t, 50);
    expect(r.items).toHaveLength(50);
    expect(r.total).toBe(80);
    expect(r.items[0]).toBe("container 0");
  });
});
