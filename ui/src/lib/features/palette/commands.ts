// What the command palette offers: the app's actions, each container (and what can be done to
// it), each image; and how a query picks and groups them.

import type { AppModel } from "../../stores/app.svelte";
import { NEXT_THEME, THEME_LABEL } from "../../stores/app.svelte";
import { PAGES } from "../shell/pages";
import { imageRows, rowReference } from "../images/rows";
import { rank } from "./match";
import { SHORTCUTS, type Shortcut } from "./shortcuts";

export type Group = "Actions" | "Containers" | "Images";
export const GROUPS: readonly Group[] = ["Actions", "Containers", "Images"];

export interface Command {
  /** Stable: `action:page:images`, `container:stop:<id>`, `image:run:<repo:tag>`. */
  id: string;
  group: Group;
  title: string;
  /** Shown dimmer after the title. */
  detail?: string;
  /** Matched too, never shown. */
  keywords?: string;
  /** Listed only once something is typed (one container's Stop, Restart…). */
  secondary?: boolean;
  shortcut?: Shortcut;
  run: () => void;
}

/** At most this many rows. */
export const LIMIT = 50;

type Model = Pick<
  AppModel,
  | "page"
  | "status"
  | "containers"
  | "images"
  | "showAll"
  | "settings"
  | "ask"
  | "openContainer"
  | "showImage"
  | "runImage"
  | "buildFolder"
  | "cycleTheme"
  | "setShowAll"
  | "reconnect"
>;

const withShortcut = (c: Omit<Command, "shortcut">): Command => ({
  ...c,
  shortcut: SHORTCUTS[c.id]?.[0],
});

/** The app's own actions (the same list the global shortcuts run from). */
export function actions(model: Model): Command[] {
  const list: Omit<Command, "shortcut">[] = PAGES.map((p) => ({
    id: `action:page:${p.id}`,
    group: "Actions",
    title: `Go to ${p.label}`,
    keywords: "page show open",
    run: () => {
      model.page = p.id;
    },
  }));
  const theme = model.settings?.theme;
  list.push(
    {
      id: "action:run",
      group: "Actions",
      title: "Run a container…",
      keywords: "docker run new create start",
      run: () => model.runImage(""),
    },
    {
      id: "action:pull",
      group: "Actions",
      title: "Pull an image…",
      keywords: "docker pull download",
      run: () => model.ask({ page: "images", kind: "pull" }),
    },
    {
      id: "action:search",
      group: "Actions",
      title: "Search Docker Hub…",
      keywords: "docker search find images registry",
      run: () => model.ask({ page: "images", kind: "search" }),
    },
    {
      id: "action:build",
      group: "Actions",
      title: "Build a folder…",
      keywords: "docker build dockerfile context open",
      run: () => void model.buildFolder(),
    },
    {
      id: "action:prune-containers",
      group: "Actions",
      title: "Prune stopped containers…",
      keywords: "docker container prune remove clean delete exited",
      run: () => model.ask({ page: "containers", kind: "prune" }),
    },
    {
      id: "action:prune-images",
      group: "Actions",
      title: "Prune images…",
      keywords: "docker image prune remove clean delete dangling unused",
      run: () => model.ask({ page: "images", kind: "prune" }),
    },
    {
      id: "action:login",
      group: "Actions",
      title: "Log in to a registry…",
      keywords: "docker login registries credentials sign",
      run: () => model.ask({ page: "registries", kind: "login" }),
    },
    {
      id: "action:theme",
      group: "Actions",
      title: "Toggle theme",
      detail: theme
        ? `now ${THEME_LABEL[theme]}; next ${THEME_LABEL[NEXT_THEME[theme]]}`
        : undefined,
      keywords: "dark light system appearance colours colors mode",
      run: () => void model.cycleTheme(),
    },
    {
      id: "action:show-all",
      group: "Actions",
      title: model.showAll ? "Show running containers only" : "Show all containers",
      keywords: "list filter stopped exited",
      run: () => {
        model.setShowAll(!model.showAll);
        model.page = "containers";
      },
    },
  );
  if (model.status.state !== "connected")
    list.push({
      id: "action:reconnect",
      group: "Actions",
      title: "Reconnect to the engine",
      keywords: "docker daemon retry connect",
      run: () => void model.reconnect(),
    });
  return list.map(withShortcut);
}

function containerCommands(model: Model): Command[] {
  const out: Command[] = [];
  for (const c of model.containers.items) {
    const id = c.id;
    const name = c.name;
    const keywords = id.slice(0, 12);
    out.push({
      id: `container:open:${id}`,
      group: "Containers",
      title: name,
      detail: `${c.image} — ${c.state}`,
      keywords,
      run: () => model.openContainer(id),
    });
    const add = (verb: string, title: string, run: () => void) =>
      out.push({
        id: `container:${verb}:${id}`,
        group: "Containers",
        title,
        detail: c.image,
        keywords,
        secondary: true,
        run,
      });
    const act = (action: "start" | "stop" | "restart") => () =>
      model.ask({ page: "containers", kind: "action", id, action });
    if (c.state === "running") {
      add("stop", `Stop ${name}`, act("stop"));
      add("restart", `Restart ${name}`, act("restart"));
      add("logs", `Show logs of ${name}`, () => model.openContainer(id, "logs"));
      add("shell", `Open a shell in ${name}`, () => model.openContainer(id, "terminal"));
    } else if (c.state === "exited" || c.state === "created" || c.state === "dead") {
      add("start", `Start ${name}`, act("start"));
      add("logs", `Show logs of ${name}`, () => model.openContainer(id, "logs"));
    }
  }
  return out;
}

function imageCommands(model: Model): Command[] {
  const out: Command[] = [];
  for (const r of imageRows(model.images.items)) {
    const ref = rowReference(r);
    const shown = r.dangling ? `<none> ${r.id.replace(/^sha256:/, "").slice(0, 12)}` : ref;
    const key = r.key;
    out.push({
      id: `image:show:${ref}`,
      group: "Images",
      title: `Show ${shown}`,
      keywords: r.id.replace(/^sha256:/, "").slice(0, 12),
      run: () => model.showImage(key),
    });
    if (!r.dangling)
      out.push({
        id: `image:run:${ref}`,
        group: "Images",
        title: `Run ${ref}…`,
        keywords: "docker run container start",
        run: () => model.runImage(ref),
      });
  }
  return out;
}

/** Everything the palette can offer now. */
export function allCommands(model: Model): Command[] {
  return [...actions(model), ...containerCommands(model), ...imageCommands(model)];
}

export interface Section {
  group: Group;
  items: Command[];
}

/**
 * The rows for `query`: the best {@link LIMIT} matches in sections, the section of the best match
 * first. With nothing typed: everything but the secondary rows, in order (Actions, Containers,
 * Images).
 */
export function search(
  commands: readonly Command[],
  query: string,
): { sections: Section[]; total: number } {
  const typed = query.trim() !== "";
  const pool = typed ? commands : commands.filter((c) => !c.secondary);
  const { items, total } = rank(
    pool,
    query,
    (c) => [c.title, `${c.detail ?? ""} ${c.keywords ?? ""}`],
    LIMIT,
  );
  const sections: Section[] = [];
  for (const c of items) {
    const s = sections.find((x) => x.group === c.group);
    if (s) s.items.push(c);
    else sections.push({ group: c.group, items: [c] });
  }
  return { sections, total };
}
