import { describe, expect, it } from "vitest";
import { pushChoice, suggestTarget } from "./push-tags";

describe("pushChoice", () => {
  it("prefers a tag for a registry other than Docker Hub", () => {
    const c = pushChoice(["webapp:dev", "alice/webapp:dev", "localhost:5000/webapp:2.4.0"]);
    expect(c.preferred).toBe("localhost:5000/webapp:2.4.0");
    expect(c.needsTag).toBe(false);
    expect(c.targets.map((t) => [t.registry, t.hub, t.library])).toEqual([
      ["docker.io", true, true],
      ["docker.io", true, false],
      ["localhost:5000", false, false],
    ]);
  });

  it("takes the tag asked for when the image has it", () => {
    const tags = ["ghcr.io/o/a:1", "localhost:5000/a:1"];
    expect(pushChoice(tags, "localhost:5000/a:1").preferred).toBe("localhost:5000/a:1");
    expect(pushChoice(tags, "not/there:1").preferred).toBe("ghcr.io/o/a:1");
  });

  it("suggests tagging first when every tag goes to Docker Hub", () => {
    const c = pushChoice(["webapp:dev", "alice/webapp:dev"]);
    expect(c.needsTag).toBe(true);
    // A Hub name with a namespace can be pushed; a library name cannot.
    expect(c.preferred).toBe("alice/webapp:dev");
    expect(pushChoice(["nginx:1.27"]).preferred).toBe("nginx:1.27");
    expect(pushChoice(["docker.io/library/nginx:1"]).targets[0]?.library).toBe(true);
  });

  it("has nothing to push for an untagged image", () => {
    expect(pushChoice([])).toEqual({ targets: [], preferred: null, needsTag: true });
    expect(pushChoice(["<none>:<none>"]).targets).toEqual([]);
  });
});

describe("suggestTarget", () => {
  it("moves the name under the first registry the user is logged in to, not Hub", () => {
    expect(suggestTarget("webapp:dev", ["docker.io", "localhost:5000"])).toBe(
      "localhost:5000/webapp:dev",
    );
    expect(suggestTarget("docker.io/library/nginx:1.27", ["ghcr.io"])).toBe("ghcr.io/nginx:1.27");
    expect(suggestTarget("alice/app:1", ["ghcr.io"])).toBe("ghcr.io/alice/app:1");
    expect(suggestTarget("quay.io/team/app:1", ["ghcr.io"])).toBe("ghcr.io/team/app:1");
  });

  it("has no suggestion without such a registry or a tag", () => {
    expect(suggestTarget("webapp:dev", ["docker.io"])).toBeNull();
    expect(suggestTarget("webapp:dev", [])).toBeNull();
    expect(suggestTarget(null, ["ghcr.io"])).toBeNull();
  });
});
