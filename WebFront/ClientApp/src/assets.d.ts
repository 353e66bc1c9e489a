// esbuild bundles imported CSS into app.css next to app.js.
declare module "*.css";
