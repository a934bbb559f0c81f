const app = document.querySelector<HTMLDivElement>('#app');
if (!app) throw new Error('#app is missing from index.html');

app.innerHTML = `
  <main style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
    <h1>Vellum — demo IDE coming soon</h1>
    <p>
      Vellum is an overlay filesystem for the browser and Node: read-only lower layers (zip, HTTP,
      memory) under one writable upper (IndexedDB or memory), merged with Linux overlayfs semantics
      behind a <code>fs/promises</code>-shaped API.
    </p>
    <p>
      This page will become a small IDE that opens a project from a zip, edits it in place, and shows
      which layer every file comes from and what changed.
    </p>
  </main>
`;
