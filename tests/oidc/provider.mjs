// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for adminui's tests.
//
// Usage: node provider.mjs CONFIG.json
// CONFIG holds the clients, the signing keys (JWKS with private parts, so tests can also forge
// tokens with the provider's own key) and fixed accounts with passwords and groups. The server
// listens on a free 127.0.0.1 port and prints one JSON line, {"issuer": "http://127.0.0.1:PORT"},
// once it answers. Sign-in is a plain HTML form (no script); consent is granted automatically.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts;

const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: ['adminui-test-provider-only'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: true,
          name: account.name,
          given_name: account.name.split(' ')[0],
          family_name: account.name.split(' ').slice(1).join(' '),
          preferred_username: account.username,
          groups: account.groups,
        };
      },
    };
  },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});
// Groups change between sign-ins in the tests: re-read the accounts file on every sign-in.
const reloadAccounts = () => Object.assign(accounts, JSON.parse(readFileSync(process.argv[2], 'utf8')).accounts);

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head>
<body><h1>Test IdP</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Login <input name="login" autocomplete="username" required></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function grantConsent(req, res, details) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') return grantConsent(req, res, details);
  if (req.method === 'GET' && !action) {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    return res.end(loginPage(uid));
  }
  const form = await readForm(req);
  reloadAccounts();
  const account = accounts[form.get('login')];
  if (!account || account.password !== form.get('password')) {
    res.statusCode = 401;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    return res.end(loginPage(uid, 'Wrong login or password.'));
  }
  return provider.interactionFinished(req, res, { login: { accountId: form.get('login') } }, {
    mergeWithLastSubmission: false,
  });
}

// Errors the provider answers with are also logged, for a failing test's log file.
for (const event of ['server_error', 'authorization.error', 'grant.error', 'end_session.error']) {
  provider.on(event, (ctx, error) => console.error(event, error.message, error.error_detail ?? ''));
}
const callback = provider.callback();
server.on('request', (req, res) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(new URL(req.url, issuer).pathname);
  if (!match) return callback(req, res);
  return interaction(req, res, match[1], match[2]).catch((error) => {
    res.statusCode = 400;
    res.end(`interaction failed: ${error.message}`);
  });
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(JSON.stringify({ issuer }));
