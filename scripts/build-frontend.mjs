// Bundle the front-end sources into tejido/static/dist/ (git-ignored). axe-core is copied
// as is for the end-to-end accessibility checks.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const outdir = "tejido/static/dist";
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: {
    app: "tejido/static/src/app.js",
    map: "tejido/static/src/map.js",
    charts: "tejido/static/src/charts.js",
  },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  target: ["es2020"],
  outdir,
  logLevel: "warning",
});
copyFileSync("node_modules/axe-core/axe.min.js", `${outdir}/axe.min.js`);
