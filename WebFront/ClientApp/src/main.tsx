import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import "./app.css";

const container = document.getElementById("root");
if (container === null) throw new Error("OrleansChat: the page has no #root element.");
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
