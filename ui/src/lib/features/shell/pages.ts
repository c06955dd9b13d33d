export type PageId = "containers" | "images" | "build" | "registries" | "settings";

export const PAGES: { id: PageId; label: string; icon: string; coming?: string }[] = [
  { id: "containers", label: "Containers", icon: "▣" },
  { id: "images", label: "Images", icon: "◫" },
  { id: "build", label: "Build", icon: "⚒" },
  { id: "registries", label: "Registries", icon: "⇅" },
  { id: "settings", label: "Settings", icon: "⚙" },
];
