// A real OpenID Connect provider for the browser e2e test of OIDC sign-in
// (e2e/auth.spec.mjs), built on npm `oidc-provider` with its development login and
// consent pages (any login name and password are accepted).
//
//   OIDC_PORT=7201 OIDC_REDIRECT_URI=http://localhost:7097/api/auth/e2e/handler/frame \
//     node e2e/oidc-provider.mjs
//
// Issuer http://127.0.0.1:<OIDC_PORT>; one confidential client `butler-portal` /
// `e2e-secret` (authorization code, PKCE allowed). The account of login `<login>` has
// claims {sub: <login>, email: <login>@butlerlabs.dev, email_verified: true,
// name: "<Login> (E2E)"}; they are put into the ID token (conformIdTokenClaims off),
// because the portal reads the profile from the ID token. Prints `OIDC provider ready`
// once listening; stops on SIGTERM/SIGINT.
import Provider from "oidc-provider";
import { generateKeyPairSync } from "node:crypto";

const port = Number(process.env.OIDC_PORT || 7201);
const redirectUri = process.env.OIDC_REDIRECT_URI;
if (!redirectUri) {
  console.error("OIDC_REDIRECT_URI is required (e.g. http://localhost:7097/api/auth/e2e/handler/frame)");
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// A fresh signing key per run (no dev-key warning, nothing on disk).
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: "e2e", use: "sig", alg: "RS256" };

const displayName = (login) =>
  `${login.charAt(0).toUpperCase()}${login.slice(1)} (E2E)`;

const configuration = {
  clients: [
    {
      client_id: "butler-portal",
      client_secret: "e2e-secret",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
  },
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
  },
  pkce: { required: () => false },
  jwks: { keys: [jwk] },
  cookies: { keys: ["butler-portal-e2e-cookie-key"] },
  ttl: { Session: 600, Interaction: 600, Grant: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
  async findAccount(_ctx, id) {
    const login = String(id).trim().toLowerCase();
    return {
      accountId: login,
      async claims() {
        return {
          sub: login,
          email: `${login}@butlerlabs.dev`,
          email_verified: true,
          name: displayName(login),
        };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
provider.on("server_error", (_ctx, err) => console.error("oidc server_error:", err));
const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`OIDC provider ready at ${issuer} (redirect ${redirectUri})`);
});
for (const sig of ["SIGTERM", "SIGINT"]) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
