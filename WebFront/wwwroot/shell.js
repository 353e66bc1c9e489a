// A zero-build shell client: enough to chat while the React client is being built.
// Protocol: docs/protocol.md.
(() => {
  const room = new URLSearchParams(location.search).get("room") || location.hash.slice(1) || "lobby";
  const name = localStorage.getItem("chat.name") || prompt("Your name?") || "guest";
  localStorage.setItem("chat.name", name);
  const $ = (id) => document.getElementById(id);
  const text = $("text");
  let socket, me, roomSeq = 0, senderSeq = 0, timer;
  const names = new Map(), drafts = new Map();
  $("room").textContent = "#" + room;

  const renderDrafts = () => {
    const box = $("drafts");
    box.replaceChildren(...[...drafts].filter(([id, t]) => id !== me && t).map(([id, t]) => {
      const p = document.createElement("p");
      const who = document.createElement("span");
      who.className = "who"; who.textContent = (names.get(id) || "someone") + " is typing:";
      p.append(who, document.createTextNode(t));
      return p;
    }));
  };
  const addMessage = (m) => {
    const li = document.createElement("li");
    const who = document.createElement("span");
    who.className = "who"; who.textContent = m.senderName;
    li.append(who, document.createTextNode(m.text));
    $("log").append(li);
    li.scrollIntoView({ block: "end" });
  };

  const connect = () => {
    socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    socket.onopen = () => socket.send(JSON.stringify({ type: "join", room, name }));
    socket.onclose = () => { $("status").textContent = "reconnecting…"; setTimeout(connect, 1000 + Math.random() * 1000); };
    socket.onmessage = (e) => {
      const f = JSON.parse(e.data);
      if (f.seq && f.type !== "welcome" && roomSeq && f.seq !== roomSeq + 1) { socket.send(JSON.stringify({ type: "resync" })); }
      if (f.seq) roomSeq = Math.max(roomSeq, f.seq);
      switch (f.type) {
        case "welcome":
          me = f.connectionId; roomSeq = f.seq; names.clear(); drafts.clear(); $("log").replaceChildren();
          f.participants.forEach((p) => names.set(p.connectionId, p.name));
          f.drafts.forEach((d) => drafts.set(d.connectionId, d.text));
          f.history.forEach(addMessage);
          $("status").textContent = "live as " + f.name;
          if (text.value) sendChunk();
          break;
        case "joined": names.set(f.participant.connectionId, f.participant.name); break;
        case "left": names.delete(f.connectionId); drafts.delete(f.connectionId); break;
        case "chunk": drafts.set(f.connectionId, f.text); break;
        case "cleared": drafts.delete(f.connectionId); break;
        case "commit": drafts.delete(f.message.connectionId); addMessage(f.message); break;
        case "error": $("status").textContent = f.message; break;
      }
      renderDrafts();
    };
  };
  const sendChunk = () => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "chunk", text: text.value, seq: ++senderSeq }));
  };
  text.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(sendChunk, 40); });
  text.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); } });
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!text.value.trim() || socket?.readyState !== WebSocket.OPEN) return;
    clearTimeout(timer);
    socket.send(JSON.stringify({ type: "commit", text: text.value, id: crypto.randomUUID().replaceAll("-", "") }));
    text.value = "";
  });
  connect();
})();
