import { useEffect, useId, useState } from "preact/hooks";
import { api, resetCsrf, setReauthenticateHandler } from "../lib/api.ts";
import { useModal } from "../lib/modal.ts";
import { useSession } from "../lib/session.ts";
import { FormError, TextField } from "./ui.tsx";

/**
 * Asks for the password (and a code when two-factor sign-in is on) when account security answers
 * `reauthentication_required`, then lets the api client send the request again: inviting,
 * changing roles, resetting passwords, enrolling TOTP and creating tokens need a recent sign-in.
 * Mounted once for the signed-in app; the dialog exists only while a question is open.
 */
export function Reauthenticate() {
  const [pending, setPending] = useState<(confirmed: boolean) => void>();
  useEffect(() => {
    setReauthenticateHandler(
      () =>
        new Promise<boolean>((resolve) => {
          setPending(() => resolve);
        }),
    );
    return () => {
      setReauthenticateHandler(undefined);
    };
  }, []);
  if (pending === undefined) return null;
  const finish = (confirmed: boolean) => {
    setPending(undefined);
    pending(confirmed);
  };
  return <ReauthenticateDialog onDone={finish} />;
}

function ReauthenticateDialog(props: { onDone: (confirmed: boolean) => void }) {
  const { me } = useSession();
  const ref = useModal();
  const id = useId();
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [error, setError] = useState<unknown>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.post("/me/reauthenticate", {
        password,
        ...(me.totpEnabled ? { totp: totp.trim() } : {}),
      });
      // The answer set a new session cookie, which has its own CSRF token.
      resetCsrf();
      props.onDone(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        props.onDone(false);
      }}
    >
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <h2 id={`${id}-title`}>Confirm it is you</h2>
        <p>Changing account security needs your password again.</p>
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={password}
          onValue={setPassword}
          error={error}
        />
        {me.totpEnabled && (
          <TextField
            label="Code from the app, or a recovery code"
            name="totp"
            autoComplete="one-time-code"
            value={totp}
            onValue={setTotp}
            error={error}
          />
        )}
        <FormError error={error} />
        <div class="form-actions">
          <button
            type="button"
            onClick={() => {
              props.onDone(false);
            }}
          >
            Cancel
          </button>
          <button type="submit" class="primary">
            Confirm
          </button>
        </div>
      </form>
    </dialog>
  );
}
