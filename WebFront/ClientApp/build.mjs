// Builds the OrleansChat client with esbuild.
//   node build.mjs          minified bundle + source map into ../wwwroot/assets (app.js, app.css)
//   node build.mjs --watch  unminified bundle, rebuilt on every change
//   node build.mjs --test   bundles src/**/*.test.ts for node and runs them with node's built-in test runner
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const outdir = join(root, "..", "wwwroot", "assets");
const mode = process.argv[2] ?? "--build";

/** @param {boolean} production */
function appOptions(production) {
  return /** @type {import("esbuild").BuildOptions} */ ({
    absWorkingDir: root,
    entryPoints: { app: "src/main.tsx" },
    outdir,
    bundle: true,
    format: "esm",
    target: ["es2022", "chrome109", "firefox115", "safari16"],
    jsx: "automatic",
    minify: production,
    sourcemap: true,
    define: { "process.env.NODE_ENV": JSON.stringify(production ? "production" : "development") },
    logLevel: "info",
  });
}

/** @param {string} dir @returns {string[]} */
function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return /\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

async function runTests() {
  const testOut = join(root, "node_modules", ".cache", "client-tests");
  rmSync(testOut, { recursive: true, force: true });
  const entryPoints = testFiles(join(root, "src"));
  if (entryPoints.length === 0) throw new Error("No test files under src/.");
  await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir: testOut,
    outbase: join(root, "src"),
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    jsx: "automatic",
    sourcemap: "inline",
    logLevel: "warning",
  });
  const compiled = entryPoints.map((file) =>
    join(testOut, relative(join(root, "src"), file).replace(/\.tsx?$/, ".mjs")));
  const result = spawnSync(process.execPath, ["--enable-source-maps", "--test", "--test-reporter=spec", ...compiled], { stdio: "inherit" });
  return result.status ?? 1;
}

if (mode === "--test") {
  process.exitCode = await runTests();
} else if (mode === "--watch") {
  const context = await esbuild.context(appOptions(false));
  await context.watch();
  console.log(`watching src/ -> ${relative(process.cwd(), outdir)}`);
} else if (mode === "--build") {
  await esbuild.build(appOptions(true));
} else {
  console.error(`unknown option ${mode}; use --watch or --test, or nothing to build`);
  process.exitCode = 2;
}
