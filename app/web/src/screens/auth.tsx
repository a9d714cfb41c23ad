import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { starterLocaleFor } from "../../../src/domain/default-categories.ts";
import { FormError, TextField } from "../components/ui.tsx";
import { api, ApiError, type Me } from "../lib/api.ts";
import { onLinkClick } from "../lib/router.ts";

/** The centred card the sign-in screens share. */
function AuthCard(props: { title: string; intro?: string; children: ComponentChildren }) {
  return (
    <main class="auth" id="main" onClick={onLinkClick}>
      <div class="auth-card">
        <p class="brand">
          <span class="brand-mark" aria-hidden="true">
            ƒ
          </span>
          fintrack
        </p>
        <h1>{props.title}</h1>
        {props.intro && <p class="muted">{props.intro}</p>}
        {props.children}
      </div>
    </main>
  );
}

/** Email and password, then the authenticator code when the account asks for one. */
export function LoginScreen(props: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { email, password, ...(needTotp ? { totp } : {}) };
      props.onSignedIn(await api.post<Me>("/auth/login", body, { public: true }));
    } catch (e) {
      if (e instanceof ApiError && e.code === "totp_required") setNeedTotp(true);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title={needTotp ? "Two-factor sign-in" : "Sign in"}>
      <form onSubmit={(e) => void submit(e)} class="stack">
        {!needTotp ? (
          <>
            <TextField
              label="Email"
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onValue={setEmail}
              error={error}
            />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onValue={setPassword}
              error={error}
            />
          </>
        ) : (
          <TextField
            label="Authentication code"
            name="totp"
            hint="The 6-digit code from your authenticator app, or a recovery code."
            autoComplete="one-time-code"
            inputMode="numeric"
            autoFocus
            required
            value={totp}
            onValue={setTotp}
            error={error}
          />
        )}
        <FormError error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : needTotp ? "Verify" : "Sign in"}
        </button>
      </form>
      <p class="muted">
        New household? <a href="/signup">Create the owner account</a>
      </p>
    </AuthCard>
  );
}

function SignUpForm(props: { invitation?: string; onSignedIn: (me: Me) => void; cta: string }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // A new household's starter categories come in the browser's first language the tree is
      // written in (English otherwise); the server ignores it for everyone but the first owner.
      const locale = starterLocaleFor(navigator.languages.join(","));
      const body = { name, email, password, invitation: props.invitation, locale };
      props.onSignedIn(await api.post<Me>("/auth/register", body, { public: true }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} class="stack">
      <TextField
        label="Your name"
        name="name"
        autoComplete="name"
        required
        value={name}
        onValue={setName}
        error={error}
      />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        value={email}
        onValue={setEmail}
        error={error}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="12 to 128 characters. A passphrase of a few words is easiest to remember."
        required
        value={password}
        onValue={setPassword}
        error={error}
      />
      <FormError error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? "Creating…" : props.cta}
      </button>
    </form>
  );
}

/** Sign-up of the household's first user, who becomes its owner. */
export function RegisterScreen(props: { onSignedIn: (me: Me) => void }) {
  return (
    <AuthCard
      title="Create your household"
      intro="The first account becomes the household's owner; others join by invitation."
    >
      <SignUpForm onSignedIn={props.onSignedIn} cta="Create account" />
      <p class="muted">
        Already have an account? <a href="/login">Sign in</a>
      </p>
    </AuthCard>
  );
}

/** Joining a household from an invitation link `/invite/<token>`. */
export function InviteScreen(props: { token: string; onSignedIn: (me: Me) => void }) {
  return (
    <AuthCard
      title="Join the household"
      intro="You were invited to a fintrack household. Create your account to accept."
    >
      <SignUpForm invitation={props.token} onSignedIn={props.onSignedIn} cta="Accept invitation" />
      <p class="muted">
        Already a member? <a href="/login">Sign in</a>
      </p>
    </AuthCard>
  );
}
