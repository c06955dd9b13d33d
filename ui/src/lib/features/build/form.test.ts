import { describe, expect, it } from "vitest";
import {
  argsFromInfo,
  dockerfileOf,
  emptyForm,
  formFromOptions,
  namedStages,
  optionsFromForm,
  OTHER,
  type ArgRow,
} from "./form";
import type { DockerfileInfo } from "../../ipc/backend";
import { buildOptions } from "../../ipc/mock";

const info: DockerfileInfo = {
  args: [
    { name: "NODE_VERSION", default: "20", stage: null },
    { name: "APP_ENV", default: "production", stage: "build" },
    { name: "NODE_VERSION", default: null, stage: "build" },
    { name: "GIT_SHA", default: null, stage: "2" },
  ],
  stages: [
    { index: 0, name: "deps", base: "node:20", line: 2 },
    { index: 1, name: "build", base: "deps", line: 8 },
    { index: 2, name: null, base: "gcr.io/distroless/nodejs20", line: 14 },
  ],
  problems: [],
};

const free = (key: string, value: string): ArgRow => ({
  key,
  value,
  declared: false,
  default: null,
  scope: null,
  edited: true,
});

describe("the Dockerfile field", () => {
  it("defaults to the context's first Dockerfile, or Dockerfile", () => {
    expect(dockerfileOf(emptyForm(["docker/prod.Dockerfile", "Dockerfile"]))).toBe(
      "docker/prod.Dockerfile",
    );
    expect(dockerfileOf(emptyForm([]))).toBe("Dockerfile");
  });

  it("uses a dropped file, falling back to Other… when it is not in the list", () => {
    const f = emptyForm(["Dockerfile"], "build/ci.Dockerfile");
    expect(f.dockerfileChoice).toBe(OTHER);
    expect(f.dockerfileOther).toBe("build/ci.Dockerfile");
    expect(optionsFromForm(f).dockerfile).toBe("build/ci.Dockerfile");
  });

  it("treats a blank Other… as Dockerfile", () => {
    const f = emptyForm(["Dockerfile"]);
    f.dockerfileChoice = OTHER;
    f.dockerfileOther = "  ";
    expect(optionsFromForm(f).dockerfile).toBe("Dockerfile");
  });
});

describe("optionsFromForm", () => {
  it("drops blank rows and trims tags and names", () => {
    const f = emptyForm(["Dockerfile"]);
    f.tags = [" app:1 ", "", "   ", "app:latest"];
    f.labels = [
      { key: "", value: "" },
      { key: " team ", value: "web" },
      { key: "", value: "orphan" },
    ];
    f.args = [free("", ""), free(" A ", " spaced value "), free("EMPTY", "")];
    const o = optionsFromForm(f);
    expect(o.tags).toEqual(["app:1", "app:latest"]);
    expect(o.labels).toEqual([
      { key: "team", value: "web" },
      { key: "", value: "orphan" },
    ]);
    expect(o.buildArgs).toEqual([
      { key: "A", value: " spaced value " },
      { key: "EMPTY", value: "" },
    ]);
  });

  it("sends a Dockerfile ARG only when edited, even with an empty value", () => {
    const f = emptyForm(["Dockerfile"]);
    f.args = argsFromInfo([], info);
    expect(optionsFromForm(f).buildArgs).toEqual([]);
    f.args[0]!.value = "22";
    f.args[0]!.edited = true;
    f.args[2]!.value = "";
    f.args[2]!.edited = true;
    expect(optionsFromForm(f).buildArgs).toEqual([
      { key: "NODE_VERSION", value: "22" },
      { key: "GIT_SHA", value: "" },
    ]);
  });

  it("maps the target and flags", () => {
    const f = emptyForm(["Dockerfile"]);
    expect(optionsFromForm(f)).toEqual(buildOptions());
    f.target = "build";
    f.noCache = true;
    f.pull = true;
    expect(optionsFromForm(f)).toMatchObject({ target: "build", noCache: true, pull: true });
  });
});

describe("argsFromInfo", () => {
  it("gives one fixed row per declared ARG, with its default and scope", () => {
    const rows = argsFromInfo([], info);
    expect(rows.map((r) => [r.key, r.default, r.scope, r.declared, r.edited])).toEqual([
      ["NODE_VERSION", "20", "global", true, false],
      ["APP_ENV", "production", "build", true, false],
      ["GIT_SHA", null, "stage 2", true, false],
    ]);
  });

  it("keeps the user's values and free rows across a Dockerfile change", () => {
    let rows = argsFromInfo([free("EXTRA", "1")], info);
    rows[1]!.value = "staging";
    rows[1]!.edited = true;
    const other: DockerfileInfo = {
      args: [{ name: "NODE_VERSION", default: "18", stage: null }],
      stages: [],
      problems: [],
    };
    rows = argsFromInfo(rows, other);
    expect(rows.map((r) => [r.key, r.value, r.declared, r.edited])).toEqual([
      ["NODE_VERSION", "", true, false],
      ["APP_ENV", "staging", false, true],
      ["EXTRA", "1", false, true],
    ]);
  });

  it("turns a free row naming a declared ARG into that ARG's row", () => {
    const rows = argsFromInfo([free("APP_ENV", "dev")], info);
    expect(rows.find((r) => r.key === "APP_ENV")).toMatchObject({
      declared: true,
      value: "dev",
      edited: true,
    });
    expect(rows).toHaveLength(3);
  });

  it("lists named stages only", () => {
    expect(namedStages(info)).toEqual(["deps", "build"]);
    expect(namedStages(null)).toEqual([]);
  });
});

describe("a history entry back into the form", () => {
  it("round-trips every option", () => {
    const o = buildOptions({
      dockerfile: "docker/dev.Dockerfile",
      tags: ["app:dev"],
      buildArgs: [
        { key: "NODE_VERSION", value: "22" },
        { key: "EMPTY", value: "" },
      ],
      target: "build",
      noCache: true,
      pull: true,
      labels: [{ key: "team", value: "web" }],
    });
    const f = formFromOptions(o, ["Dockerfile", "docker/dev.Dockerfile"]);
    expect(f.dockerfileChoice).toBe("docker/dev.Dockerfile");
    expect(optionsFromForm(f)).toEqual(o);
    // Once the Dockerfile's ARGs are known, the values stay and are still sent.
    f.args = argsFromInfo(f.args, info);
    expect(optionsFromForm(f).buildArgs).toEqual([
      { key: "NODE_VERSION", value: "22" },
      { key: "EMPTY", value: "" },
    ]);
  });

  it("keeps one empty tag row and an outside Dockerfile as Other…", () => {
    const f = formFromOptions(buildOptions({ dockerfile: "/elsewhere/Dockerfile" }), [
      "Dockerfile",
    ]);
    expect(f.tags).toEqual([""]);
    expect(f.dockerfileChoice).toBe(OTHER);
    expect(optionsFromForm(f).dockerfile).toBe("/elsewhere/Dockerfile");
  });
});
