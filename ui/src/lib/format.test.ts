import { describe, expect, it } from "vitest";
import {
  formatAge,
  formatBytes,
  formatDuration,
  formatPort,
  formatPorts,
  formatPortsShort,
  shortId,
} from "./format";

describe("formatBytes", () => {
  it("uses decimal units like the docker CLI", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1000)).toBe("1.00 kB");
    expect(formatBytes(1_234_567)).toBe("1.23 MB");
    expect(formatBytes(77_800_000)).toBe("77.8 MB");
    expect(formatBytes(512_000_000)).toBe("512 MB");
    expect(formatBytes(-1)).toBe("—");
  });
});

describe("formatAge", () => {
  const now = 1_700_000_000_000;
  const ago = (s: number) => formatAge(now / 1000 - s, now);
  it("names the largest whole unit", () => {
    expect(ago(3)).toBe("just now");
    expect(ago(42)).toBe("42 seconds ago");
    expect(ago(60)).toBe("1 minute ago");
    expect(ago(3 * 3600 + 5)).toBe("3 hours ago");
    expect(ago(2 * 86400)).toBe("2 days ago");
    expect(ago(400 * 86400)).toBe("1 year ago");
    expect(formatAge(0, now)).toBe("—");
  });
  it("never says a future time", () => {
    expect(ago(-30)).toBe("just now");
  });
});

describe("ports", () => {
  it("prints published and exposed ports like docker ps", () => {
    expect(formatPort({ ip: "0.0.0.0", privatePort: 80, publicPort: 8080, protocol: "tcp" })).toBe(
      "0.0.0.0:8080->80/tcp",
    );
    expect(formatPort({ ip: "::", privatePort: 53, publicPort: 5353, protocol: "udp" })).toBe(
      "[::]:5353->53/udp",
    );
    expect(formatPort({ ip: null, privatePort: 443, publicPort: null, protocol: "tcp" })).toBe(
      "443/tcp",
    );
    expect(formatPorts([])).toBe("");
  });
});

describe("formatPortsShort", () => {
  it("folds wildcard IPv4 and IPv6 bindings and keeps specific host IPs", () => {
    expect(
      formatPortsShort([
        { ip: "0.0.0.0", privatePort: 80, publicPort: 8080, protocol: "tcp" },
        { ip: "::", privatePort: 80, publicPort: 8080, protocol: "tcp" },
        { ip: "127.0.0.1", privatePort: 3000, publicPort: 3000, protocol: "tcp" },
        { ip: null, privatePort: 53, publicPort: null, protocol: "udp" },
      ]),
    ).toBe("8080→80, 127.0.0.1:3000→3000, 53/udp");
  });
});

describe("shortId", () => {
  it("drops the algorithm and keeps 12 characters", () => {
    expect(shortId("sha256:0123456789abcdef0123")).toBe("0123456789ab");
    expect(shortId("fedcba9876543210")).toBe("fedcba987654");
  });
});

describe("formatDuration", () => {
  it("scales from milliseconds to hours", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(12_340)).toBe("12 s");
    expect(formatDuration(4_250)).toBe("4.3 s");
    expect(formatDuration(125_000)).toBe("2 min 05 s");
    expect(formatDuration(3_720_000)).toBe("1 h 02 min");
    expect(formatDuration(-1)).toBe("—");
  });
});
