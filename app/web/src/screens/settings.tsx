import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { CopyButton } from "../components/copy-button.tsx";
import { ExchangeRatesSection, RATE_PAGE, type RateList } from "../components/exchange-rates.tsx";
import { HouseholdDataSection } from "../components/household-data.tsx";
import { LocaleSection } from "../components/locale-picker.tsx";
import {
  FormError,
  LoadError,
  Loading,
  PageHeader,
  Section,
  SelectField,
  SubSections,
  TextField,
} from "../components/ui.tsx";
import {
  api,
  type Invitation,
  type Member,
  messageOf,
  type Role,
  type Session,
  type Token,
} from "../lib/api.ts";
import { formatDateTime } from "../lib/format.ts";
import { useResource } from "../lib/resource.ts";
import { usePath } from "../lib/router.ts";
import { useCanWrite, useSession } from "../lib/session.ts";
import { sectionOf, type SettingsSectionId, settingsSections } from "../lib/settings-sections.ts";
import { describeUserAgent } from "../lib/user-agent.ts";

function Profile() {
  const { me, refresh } = useSession();
  const [name, setName] = useState(me.name ?? "");
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState("");
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.patch("/me", { name });
      await refresh();
      setDone("Saved.");
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title="Name and email">
      <form class="stack narrow" onSubmit={(e) => void save(e)}>
        <TextField label="Email" name="email" value={me.email} readOnly onValue={() => undefined} />
        <TextField label="Name" name="name" required value={name} onValue={setName} error={error} />
        <FormError error={error} />
        <div class="form-actions">
          <span role="status">{done}</span>
          <button type="submit" class="primary">
            Save profile
          </button>
        </div>
      </form>
    </Section>
  );
}

function Password() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState("");
  const save = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setDone("");
    try {
      await api.post("/me/password", { currentPassword: current, newPassword: next });
      setCurrent("");
      setNext("");
      setDone("Password changed.");
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title="Password">
      <form class="stack narrow" onSubmit={(e) => void save(e)}>
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onValue={setCurrent}
          error={error}
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          hint="12 to 128 characters"
          required
          value={next}
          onValue={setNext}
          error={error}
        />
        <FormError error={error} />
        <div class="form-actions">
          <span role="status">{done}</span>
          <button type="submit" class="primary">
            Change password
          </button>
        </div>
      </form>
    </Section>
  );
}

/** Two-factor setup: a QR code (rendered locally by `qrcode`, loaded only here), then a code. */
function TwoFactor() {
  const { me, refresh } = useSession();
  const [setup, setSetup] = useState<{ secret: string; qr: string }>();
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [offCode, setOffCode] = useState("");
  const [recovery, setRecovery] = useState<string[]>();
  const [error, setError] = useState<unknown>();
  const start = async () => {
    setError(undefined);
    try {
      const res = await api.post<{ secret: string; otpauthUrl: string }>("/me/totp");
      const { toString } = await import("qrcode");
      const svg = await toString(res.otpauthUrl, {
        type: "svg",
        margin: 1,
        errorCorrectionLevel: "M",
      });
      setSetup({
        secret: res.secret,
        qr: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
      });
    } catch (e) {
      setError(e);
    }
  };
  const enable = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const res = await api.post<{ recoveryCodes: string[] }>("/me/totp/enable", {
        code: code.trim(),
      });
      setRecovery(res.recoveryCodes);
      setSetup(undefined);
      setCode("");
      await refresh();
    } catch (e) {
      setError(e);
    }
  };
  const disable = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.del("/me/totp", { password, code: offCode.trim() });
      await refresh();
    } catch (e) {
      setError(e);
    }
    setPassword("");
    setOffCode("");
  };
  return (
    <Section title="Two-factor sign-in">
      {recovery && (
        <div class="notice" role="status">
          <p>
            <strong>Two-factor sign-in is on.</strong> Keep these recovery codes somewhere safe:
            each signs you in once if you lose your authenticator. They are shown only now.
          </p>
          <ul class="codes">
            {recovery.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <CopyButton text={recovery.join("\n")} label="Copy recovery codes" />
        </div>
      )}
      {me.totpEnabled && !recovery && <p>Two-factor sign-in is on.</p>}
      {me.totpEnabled && (
        <form class="stack narrow" onSubmit={(e) => void disable(e)}>
          <TextField
            label="Password to turn it off"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onValue={setPassword}
            error={error}
          />
          <TextField
            label="Code from the app, or a recovery code"
            name="code"
            autoComplete="one-time-code"
            required
            value={offCode}
            onValue={setOffCode}
            error={error}
          />
          <FormError error={error} />
          <button type="submit" class="danger">
            Turn off two-factor sign-in
          </button>
        </form>
      )}
      {!me.totpEnabled && !setup && (
        <>
          <p>Protect your household with a code from an authenticator app at each sign-in.</p>
          <FormError error={error} />
          <button type="button" class="primary" onClick={() => void start()}>
            Set up two-factor sign-in
          </button>
        </>
      )}
      {setup && (
        <form class="totp-setup" onSubmit={(e) => void enable(e)}>
          <img
            class="qr"
            src={setup.qr}
            alt="QR code to scan with your authenticator app"
            width={200}
            height={200}
          />
          <div class="stack">
            <p>Scan the code with your authenticator app, or type this key:</p>
            <code class="secret" data-testid="totp-secret">
              {setup.secret}
            </code>
            <TextField
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onValue={setCode}
              error={error}
            />
            <FormError error={error} />
            <button type="submit" class="primary">
              Turn on
            </button>
          </div>
        </form>
      )}
    </Section>
  );
}

function Sessions() {
  const sessions = useResource(() => api.get<Session[]>("/me/sessions"), []);
  const [error, setError] = useState<unknown>();
  const act = (p: Promise<unknown>) => {
    p.then(sessions.reload, setError);
  };
  return (
    <Section title="Sessions">
      {sessions.loading && !sessions.data && <Loading />}
      {sessions.error !== undefined && <LoadError error={sessions.error} retry={sessions.reload} />}
      {sessions.data && (
        <ul class="list">
          {sessions.data.map((s) => (
            <li key={s.id} class="list-row">
              <span class="list-main">
                {/* The raw header stays one hover (or long press) away for the curious. */}
                <span class="list-title" title={s.userAgent || undefined}>
                  {describeUserAgent(s.userAgent).label}{" "}
                  {s.current && <span class="badge">this device</span>}
                </span>
                <span class="list-sub">
                  {s.ip} · last seen {formatDateTime(s.lastSeenAt)}
                </span>
              </span>
              {!s.current && (
                <button
                  type="button"
                  onClick={() => {
                    act(api.del(`/me/sessions/${s.id}`));
                  }}
                >
                  Sign out<span class="sr-only"> this session</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormError error={error} />
      <button
        type="button"
        onClick={() => {
          act(api.post("/me/sessions/sign-out-others"));
        }}
      >
        Sign out all other sessions
      </button>
    </Section>
  );
}

function Tokens() {
  const tokens = useResource(() => api.get<Token[]>("/tokens"), []);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"read" | "write">("read");
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<unknown>();
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const res = await api.post<{ token: string }>("/tokens", { name, scope });
      setCreated(res.token);
      setName("");
      tokens.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title="Personal access tokens">
      <p class="muted">
        For scripts and other apps: send as <code>Authorization: Bearer …</code>.
      </p>
      {created && (
        <div class="notice" role="status">
          <p>Copy the new token now; it is not shown again:</p>
          <code class="secret" data-testid="new-token">
            {created}
          </code>
          <CopyButton text={created} label="Copy token" />
        </div>
      )}
      {tokens.data && tokens.data.length > 0 && (
        <ul class="list">
          {tokens.data.map((t) => (
            <li key={t.id} class="list-row">
              <span class="list-main">
                <span class="list-title">
                  {t.name} <span class="badge">{t.scope}</span>
                </span>
                <span class="list-sub">
                  created {formatDateTime(t.createdAt)}
                  {t.lastUsedAt ? ` · last used ${formatDateTime(t.lastUsedAt)}` : " · never used"}
                </span>
              </span>
              <button
                type="button"
                class="danger"
                onClick={() => {
                  api.del(`/tokens/${t.id}`).then(tokens.reload, setError);
                }}
              >
                Revoke<span class="sr-only"> {t.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="form-grid" aria-label="New token" onSubmit={(e) => void create(e)}>
        <TextField
          label="Token name"
          name="name"
          required
          value={name}
          onValue={setName}
          error={error}
        />
        <SelectField
          label="Scope"
          name="scope"
          value={scope}
          onValue={(v) => {
            setScope(v === "write" ? "write" : "read");
          }}
          options={[
            ["read", "Read only"],
            ["write", "Read and write"],
          ]}
          error={error}
        />
        <div class="form-actions span-all">
          <FormError error={error} />
          <button type="submit" class="primary">
            Create token
          </button>
        </div>
      </form>
    </Section>
  );
}

const roleOptions: [Role, string][] = [
  ["owner", "Owner"],
  ["member", "Member (read and write)"],
  ["viewer", "Viewer (read only)"],
];

function Household() {
  const { me } = useSession();
  const owner = me.role === "owner";
  const members = useResource(() => api.get<Member[]>("/users"), []);
  const invitations = useResource(
    () => (owner ? api.get<Invitation[]>("/invitations") : Promise.resolve([])),
    [owner],
  );
  const [inviteRole, setInviteRole] = useState<"member" | "viewer">("member");
  const [inviteEmail, setInviteEmail] = useState("");
  const [link, setLink] = useState<string>();
  const [error, setError] = useState<unknown>();
  const invite = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      const res = await api.post<{ url: string; token: string }>("/invitations", {
        role: inviteRole,
        ...(inviteEmail ? { email: inviteEmail } : {}),
      });
      setLink(new URL(`/invite/${res.token}`, location.origin).toString());
      setInviteEmail("");
      invitations.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Section title={owner ? "Members and invitations" : "Members"}>
      {members.loading && !members.data && <Loading />}
      {members.error !== undefined && <LoadError error={members.error} retry={members.reload} />}
      {members.data && (
        <ul class="list">
          {members.data.map((m) => (
            <li key={m.id} class="list-row">
              <span class="list-main">
                <span class="list-title">{m.name ?? m.email}</span>
                <span class="list-sub">{m.email}</span>
              </span>
              {owner && m.id !== me.id ? (
                <span class="row-actions">
                  <label class="sr-only" for={`role-${m.id}`}>
                    Role of {m.email}
                  </label>
                  <select
                    id={`role-${m.id}`}
                    value={m.role}
                    onChange={(e) => {
                      api
                        .patch(`/users/${m.id}`, { role: e.currentTarget.value })
                        .then(members.reload, setError);
                    }}
                  >
                    {roleOptions.map(([v, t]) => (
                      <option key={v} value={v}>
                        {t}
                      </option>
                    ))}
                  </select>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => {
                      if (confirm(`Remove ${m.email} from the household?`))
                        api.del(`/users/${m.id}`).then(members.reload, setError);
                    }}
                  >
                    Remove<span class="sr-only"> {m.email}</span>
                  </button>
                </span>
              ) : (
                <span class="badge">{m.role}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {owner && (
        <>
          <h4>Invite someone</h4>
          {link && (
            <div class="notice" role="status">
              <p>Send this one-time link to the person you invite:</p>
              <code class="secret" data-testid="invite-link">
                {link}
              </code>
              <CopyButton text={link} label="Copy link" />
            </div>
          )}
          <form class="form-grid" aria-label="Invite" onSubmit={(e) => void invite(e)}>
            <TextField
              label="Email (optional)"
              name="email"
              type="email"
              value={inviteEmail}
              onValue={setInviteEmail}
              error={error}
            />
            <SelectField
              label="Role"
              name="role"
              value={inviteRole}
              onValue={(v) => {
                setInviteRole(v === "viewer" ? "viewer" : "member");
              }}
              options={roleOptions.slice(1)}
              error={error}
            />
            <div class="form-actions span-all">
              <FormError error={error} />
              <button type="submit" class="primary">
                Create invitation link
              </button>
            </div>
          </form>
          {invitations.data && invitations.data.length > 0 && (
            <>
              <h4>Invitations</h4>
              <ul class="list">
                {invitations.data.map((i) => (
                  <li key={i.id} class="list-row">
                    <span class="list-main">
                      <span class="list-title">
                        {i.email ?? "Anyone with the link"} <span class="badge">{i.role}</span>
                      </span>
                      <span class="list-sub">
                        {i.acceptedAt
                          ? `accepted ${formatDateTime(i.acceptedAt)}`
                          : `expires ${formatDateTime(i.expiresAt)}`}
                      </span>
                    </span>
                    {!i.acceptedAt && (
                      <button
                        type="button"
                        class="danger"
                        onClick={() => {
                          api.del(`/invitations/${i.id}`).then(invitations.reload, (e: unknown) => {
                            setError(new Error(messageOf(e)));
                          });
                        }}
                      >
                        Withdraw<span class="sr-only"> invitation</span>
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </Section>
  );
}

/** One group of settings: an h2 (the target of its deep link) over its cards. */
function Group(props: { id: SettingsSectionId; children: ComponentChildren }) {
  const title = settingsSections.find((g) => g.id === props.id)?.title ?? props.id;
  return (
    <section class="settings-group" aria-labelledby={`settings-${props.id}`}>
      <h2 id={`settings-${props.id}`} tabIndex={-1}>
        {title}
      </h2>
      <SubSections>{props.children}</SubSections>
    </section>
  );
}

/** The in-page list of groups; the one the URL names is marked as the current location. */
function SectionNav(props: { current: SettingsSectionId | undefined }) {
  return (
    <nav class="settings-nav" aria-label="Settings sections">
      <ul>
        {settingsSections.map((g) => (
          <li key={g.id}>
            <a
              href={`/settings/${g.id}`}
              aria-current={props.current === g.id ? "location" : undefined}
            >
              {g.title}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * Profile, security (password, two-factor, sessions), the household, tokens, the household's
 * full export and load, and currencies with their exchange rates, each a group of its own.
 * /settings/<group> (or ?section=<group>) scrolls to that group and moves focus to its heading.
 */
export function SettingsScreen() {
  const canWrite = useCanWrite();
  const path = usePath();
  const current = sectionOf(path, location.search);
  const rates = useResource(
    () => api.get<RateList>(`/exchange-rates?limit=${String(RATE_PAGE)}`),
    [],
  );
  useEffect(() => {
    if (current === undefined) return;
    // After the shell has focused <main> for the new path and the page has laid out.
    const frame = requestAnimationFrame(() => {
      const heading = document.getElementById(`settings-${current}`);
      heading?.scrollIntoView({ block: "start" });
      heading?.focus({ preventScroll: true });
    });
    return () => {
      cancelAnimationFrame(frame);
    };
  }, [current]);
  return (
    <div class="page settings">
      <PageHeader title="Settings" />
      <div class="settings-layout">
        <SectionNav current={current} />
        <div class="settings-groups">
          <Group id="profile">
            <Profile />
            <LocaleSection currency={rates.data?.base ?? "EUR"} />
          </Group>
          <Group id="security">
            <Password />
            <TwoFactor />
            <Sessions />
          </Group>
          <Group id="household">
            <Household />
          </Group>
          <Group id="tokens">
            <Tokens />
          </Group>
          <Group id="data">
            <HouseholdDataSection />
          </Group>
          <Group id="exchange-rates">
            <ExchangeRatesSection rates={rates} canWrite={canWrite} />
          </Group>
        </div>
      </div>
    </div>
  );
}
