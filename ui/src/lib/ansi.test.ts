import { describe, expect, it } from "vitest";
import { AnsiTerminal, applySgr, color256, parseAnsi, segmentClass, stripAnsi } from "./ansi";

const E = "\x1b";
const text = (s: string) => stripAnsi(s);

describe("parseAnsi colours", () => {
  it("keeps plain text as one unstyled segment", () => {
    expect(parseAnsi("hello world")).toEqual([
      { text: "hello world", fg: null, bg: null, bold: false, italic: false, underline: false },
    ]);
  });

  it("applies the 16 colours, bright colours and attributes, and resets", () => {
    const segs = parseAnsi(
      `${E}[31mred${E}[0m ${E}[1;92;44mbold${E}[22mthin${E}[39;49m${E}[3;4mx${E}[23;24my${E}[m`,
    );
    expect(segs.map((s) => s.text)).toEqual(["red", " ", "bold", "thin", "x", "y"]);
    expect(segs[0]).toMatchObject({ fg: 1, bold: false });
    expect(segs[1]).toMatchObject({ fg: null });
    expect(segs[2]).toMatchObject({ fg: 10, bg: 4, bold: true });
    expect(segs[3]).toMatchObject({ fg: 10, bg: 4, bold: false });
    expect(segs[4]).toMatchObject({ fg: null, bg: null, italic: true, underline: true });
    expect(segs[5]).toMatchObject({ italic: false, underline: false });
    expect(segmentClass(segs[2]!)).toBe("ansi-fg-10 ansi-bg-4 ansi-bold");
  });

  it("handles bright backgrounds and an empty SGR as reset", () => {
    const segs = parseAnsi(`${E}[103;30mwarn${E}[mok`);
    expect(segs[0]).toMatchObject({ fg: 0, bg: 11 });
    expect(segs[1]).toMatchObject({ fg: null, bg: null });
  });

  it("maps 256 colours and truecolor, in ; and : forms", () => {
    const segs = parseAnsi(
      `${E}[38;5;196ma${E}[38;5;9mb${E}[48;5;240mc${E}[38;2;10;20;30md${E}[38:2::1:2:3me${E}[38:5:21mf`,
    );
    expect(segs.map((s) => s.fg)).toEqual(["#ff0000", 9, 9, "#0a141e", "#010203", "#0000ff"]);
    expect(segs[2]!.bg).toBe("#585858");
    expect(color256(16)).toBe("#000000");
    expect(color256(231)).toBe("#ffffff");
    expect(color256(232)).toBe("#080808");
    expect(color256(300)).toBeNull();
  });

  it("ignores out-of-range and unknown codes without losing the next parameters", () => {
    expect(
      applySgr(
        applySgr(
          { fg: null, bg: null, bold: false, italic: false, underline: false },
          "38;5;999;1",
        ),
        "",
      ),
    ).toMatchObject({ bold: false, fg: null });
    const s = applySgr(
      { fg: null, bg: null, bold: false, italic: false, underline: false },
      "5;7;38;2;300;0;0;32",
    );
    expect(s.fg).toBe(2);
  });
});

describe("hostile sequences", () => {
  const hostile = [
    `${E}]52;c;cm0gLXJmIH4=\x07copied`,
    `${E}]52;c;cm0gLXJmIH4=${E}\\copied`,
    `${E}]8;;https://evil.example/${E}\\click me${E}]8;;${E}\\`,
    `${E}]8;;javascript:alert(1)\x07<b>x</b>${E}]8;;\x07`,
    `${E}[2J${E}[H${E}[10;20Hcursor${E}[?25l${E}[K`,
    `${E}P1$r0m${E}\\dcs`,
    `${E}_apc payload${E}\\apc`,
    `${E}]0;title\x07title`,
    `\x9b31mc1-csi\x9d8;;http://x\x9clink`,
    `unterminated ${E}[31`,
    `unterminated ${E}]8;;http://evil`,
    `lone ${E}`,
    `${E}(B${E}7${E}8${E}cesc`,
  ];

  it.each(hostile)("leaves no escape and no link: %j", (input) => {
    const out = text(input);
    for (const c of ["\x1b", "\x07", "\x9b", "\x9c", "\x9d"]) expect(out).not.toContain(c);
    expect(out).not.toMatch(/https?:|javascript:|evil/);
    expect(out).not.toContain("52;");
  });

  it("keeps the visible text around stripped sequences", () => {
    expect(text(`${E}]52;c;cm0gLXJmIH4=\x07copied`)).toBe("copied");
    expect(text(`${E}]8;;https://evil.example/${E}\\click me${E}]8;;${E}\\`)).toBe("click me");
    expect(text(`${E}[2J${E}[Hcursor${E}[K`)).toBe("cursor");
    expect(text(`${E}(B${E}cesc`)).toBe("esc");
    expect(text(`\x9b31mc1`)).toBe("c1");
    expect(text(`<script>alert(1)</script>`)).toBe("<script>alert(1)</script>");
  });

  it("drops an unterminated sequence at the end, and an OSC never eats past its line", () => {
    expect(text(`ok ${E}[31`)).toBe("ok ");
    expect(text(`a${E}]8;;http://evil\nnext line`)).toBe("a\nnext line");
    // An absurdly long CSI is dropped whole.
    expect(text(`${E}[${"1;".repeat(500)}31mz`)).toBe("z");
  });

  it("drops other control characters but keeps tabs", () => {
    expect(text("a\x00b\x07c\td\x7fe")).toBe("abc\tde");
  });
});

describe("AnsiTerminal", () => {
  it("joins sequences split across chunks and keeps the style between chunks", () => {
    const t = new AnsiTerminal();
    t.write(`${E}[3`);
    t.write(`2mgre`);
    t.write(`en\n${E}]8;;http`);
    t.write(`://x${E}`);
    t.write(`\\link`);
    t.end();
    const lines = t.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]!.segments).toEqual([expect.objectContaining({ text: "green", fg: 2 })]);
    expect(lines[1]!.segments.map((s) => s.text).join("")).toBe("link");
    expect(lines[1]!.segments[0]!.fg).toBe(2);
  });

  it("rewrites the line after a carriage return, but \\r\\n is a newline", () => {
    const t = new AnsiTerminal();
    t.write("Downloading 10%\rDownloading 50%");
    t.write("\rDownloading 100%\r\ndone\r");
    t.write("\n");
    expect(t.text()).toBe("Downloading 100%\ndone");
  });

  it("handles backspace and caps lines and line length", () => {
    const t = new AnsiTerminal(3, 10);
    t.write("ab\bc\n");
    expect(t.text()).toBe("ac");
    t.write("1\n2\n3\n4\n");
    expect(t.lines().map((l) => l.segments[0]?.text)).toEqual(["2", "3", "4"]);
    expect(t.dropped).toBe(2);
    t.write("x".repeat(50));
    expect(t.lines().at(-1)!.segments[0]!.text).toBe("xxxxxxxxx…");
  });

  it("gives completed lines stable ids and objects", () => {
    const t = new AnsiTerminal();
    t.write("one\ntw");
    const a = t.lines();
    t.write("o\nthree");
    const b = t.lines();
    expect(b[0]).toBe(a[0]);
    expect(b[1]!.id).toBe(a[1]!.id);
    expect(new Set(b.map((l) => l.id)).size).toBe(3);
    t.clear();
    expect(t.lines()).toEqual([]);
  });
});
