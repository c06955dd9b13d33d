import { describe, expect, it } from "vitest";
import { filterContainers } from "./filter";
import { container } from "../../ipc/mock";

const list = [
  container({ name: "web-1", image: "nginx:1.27", id: "abc123".padEnd(64, "0") }),
  container({
    name: "db",
    image: "postgres:16",
    state: "exited",
    status: "Exited (0) 1 hour ago",
    ports: [{ ip: "0.0.0.0", privatePort: 5432, publicPort: 15432, protocol: "tcp" }],
  }),
  container({ name: "cache", image: "redis", composeProject: "shop" }),
];

const names = (q: string) => filterContainers(list, q).map((c) => c.name);

describe("filterContainers", () => {
  it("matches names, images, states, ports and compose projects", () => {
    expect(names("")).toEqual(["web-1", "db", "cache"]);
    expect(names("WEB")).toEqual(["web-1"]);
    expect(names("postgres")).toEqual(["db"]);
    expect(names("exited")).toEqual(["db"]);
    expect(names("15432")).toEqual(["db"]);
    expect(names("shop")).toEqual(["cache"]);
  });

  it("matches ids by prefix only", () => {
    expect(names("abc1")).toEqual(["web-1"]);
    expect(names("c123")).toEqual([]);
  });

  it("needs every term to match", () => {
    expect(names("db exited")).toEqual(["db"]);
    expect(names("db running")).toEqual([]);
  });
});
