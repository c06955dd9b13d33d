import type { ContainerSummary } from "../../ipc/backend";
import { formatPorts } from "../../format";

/**
 * Every whitespace-separated term must match (case-insensitive) the name, image, id prefix,
 * state, status, ports or compose project.
 */
export function filterContainers(list: ContainerSummary[], query: string): ContainerSummary[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return list;
  return list.filter((c) => {
    const hay = [c.name, c.image, c.state, c.status, formatPorts(c.ports), c.composeProject ?? ""]
      .join("\u0000")
      .toLowerCase();
    const id = c.id.toLowerCase();
    return terms.every((t) => hay.includes(t) || id.startsWith(t));
  });
}
