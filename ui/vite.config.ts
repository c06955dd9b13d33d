import { defineConfig, type Plugin } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

/**
 * The app freezes `Object.prototype` (Tauri's `freezePrototype`). xterm.js fills a TypeScript
 * namespace object with `ns.toString = fn`, which then throws ("Attempted to assign to readonly
 * property": the inherited `toString` is frozen). Defining the property instead works the same
 * and leaves the prototype frozen. The build fails if the pattern is gone, so an xterm update
 * that changes it is noticed.
 */
function xtermFrozenPrototype(): Plugin {
  return {
    name: "xterm-frozen-prototype",
    transform(code, id) {
      if (!/[\\/]@xterm[\\/]xterm[\\/]lib[\\/]xterm\.mjs$/.test(id)) return null;
      const re = /([A-Za-z_$][\w$]*)\.toString=([A-Za-z_$][\w$]*);/g;
      if (!re.test(code)) this.error("xterm: the namespace toString assignment was not found");
      return code.replace(
        re,
        'Object.defineProperty($1,"toString",{value:$2,writable:!0,configurable:!0});',
      );
    },
  };
}

// Tauri expects a fixed port in dev and the build in ui/dist.
export default defineConfig({
  plugins: [svelte(), xtermFrozenPrototype()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: "127.0.0.1" },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true, sourcemap: false },
  resolve: process.env.VITEST ? { conditions: ["browser"] } : undefined,
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
