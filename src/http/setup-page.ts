// The page behind the one-time setup link printed at first start: it creates the first admin.
import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Set up Herald</title>
<style>
  :root { color-scheme: light dark; background: Canvas; color: CanvasText; font-family: system-ui, sans-serif; }
  body { max-width: 28rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { width: 100%; padding: .5rem; font: inherit; box-sizing: border-box; }
  button { margin-top: 1.5rem; padding: .6rem 1.2rem; font: inherit; font-weight: 600; }
  #result { margin-top: 1rem; }
</style></head>
<body>
<h1>Set up Herald</h1>
<p>Create the first administrator. This link works once.</p>
<form id="setup">
  <label for="name">Your name</label><input id="name" name="name" required autocomplete="name">
  <label for="email">E-mail</label><input id="email" name="email" type="email" required autocomplete="email">
  <label for="password">Password (12 characters or more)</label><input id="password" name="password" type="password" minlength="12" required autocomplete="new-password">
  <button type="submit">Create administrator</button>
</form>
<p id="result" role="status"></p>
<script>
document.getElementById('setup').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const token = new URLSearchParams(location.search).get('token') || '';
  const res = await fetch('/api/v1/setup', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, name: f.get('name'), email: f.get('email'), password: f.get('password') }) });
  const body = await res.json();
  document.getElementById('result').textContent = res.ok ? 'Done: you are logged in. The API documentation is at /api/docs.' : (body.detail || 'Setup failed.');
});
</script>
</body></html>`;

export function setupPage(app: FastifyInstance) {
  app.get('/setup', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE));
}
