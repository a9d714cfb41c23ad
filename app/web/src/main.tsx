import { render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { Shell } from "./components/shell.tsx";
import { lazyScreen } from "./components/lazy.tsx";
import { Loading } from "./components/ui.tsx";
import { clearData } from "./lib/data.ts";
import { Reauthenticate } from "./components/reauthenticate.tsx";
import { api, ApiError, type Me, resetCsrf, setUnauthorizedHandler } from "./lib/api.ts";
import { match, navigate, usePath } from "./lib/router.ts";
import { SessionContext, type SessionState } from "./lib/session.ts";
import { isSettingsPath } from "./lib/settings-sections.ts";
import { applyTheme } from "./lib/theme.ts";
import { AccountsScreen } from "./screens/accounts.tsx";
import { InviteScreen, LoginScreen, RegisterScreen } from "./screens/auth.tsx";
import { CategoriesScreen } from "./screens/categories.tsx";
import { DashboardScreen } from "./screens/dashboard.tsx";
import { AllTransactionsView, RegisterView } from "./screens/register.tsx";
import { SettingsScreen } from "./screens/settings.tsx";
import "./styles.css";

applyTheme();

// The money screens are fetched on first visit, keeping the initial bundle small.
const BudgetsScreen = lazyScreen(() =>
  import("./screens/budgets.tsx").then((m) => m.BudgetsScreen),
);
const ReportsScreen = lazyScreen(() =>
  import("./screens/reports.tsx").then((m) => m.ReportsScreen),
);
const ReconcileLazy = lazyScreen(() =>
  import("./screens/reconcile.tsx").then((m) => m.ReconcileScreen),
);
const ImportScreen = lazyScreen(() => import("./screens/import.tsx").then((m) => m.ImportScreen));
const RulesScreen = lazyScreen(() => import("./screens/rules.tsx").then((m) => m.RulesScreen));
const BillsScreen = lazyScreen(() => import("./screens/bills.tsx").then((m) => m.BillsScreen));

/** The signed-in screens by path. */
function Routes(props: { path: string }) {
  const { path } = props;
  const reconcile = match("/accounts/:id/reconcile", path);
  if (reconcile?.id) return <ReconcileLazy accountId={reconcile.id} />;
  const account = match("/accounts/:id", path);
  if (account?.id) return <RegisterView accountId={account.id} />;
  if (path === "/accounts") return <AccountsScreen />;
  if (path === "/transactions") return <AllTransactionsView />;
  if (path === "/categories") return <CategoriesScreen />;
  if (path === "/rules") return <RulesScreen />;
  if (path === "/budgets") return <BudgetsScreen />;
  if (path === "/bills") return <BillsScreen />;
  if (path === "/import") return <ImportScreen />;
  if (path === "/reports") return <ReportsScreen />;
  if (isSettingsPath(path)) return <SettingsScreen />;
  if (path === "/") return <DashboardScreen />;
  return (
    <div class="page">
      <h1>Page not found</h1>
      <p>
        There is nothing at {path}. <a href="/">Go to the dashboard</a>.
      </p>
    </div>
  );
}

const publicPaths = ["/login", "/signup"];

function App() {
  const path = usePath();
  const [me, setMeState] = useState<Me | null | undefined>(undefined);
  const setMe = useCallback((value: Me | null) => {
    clearData();
    setMeState(value);
  }, []);

  const refresh = useCallback(async () => {
    try {
      setMe(await api.get<Me>("/me"));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setMe(null);
      else throw error;
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      resetCsrf();
      setMe(null);
    });
    void refresh();
  }, [refresh]);

  const signedIn = useCallback((user: Me) => {
    resetCsrf();
    setMe(user);
    const next = new URLSearchParams(location.search).get("next");
    navigate(next?.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
  }, []);

  const invite = match("/invite/:token", path);
  if (invite?.token) return <InviteScreen token={invite.token} onSignedIn={signedIn} />;
  if (me === undefined) return <Loading label="Starting fintrack…" />;
  if (path === "/signup") return <RegisterScreen onSignedIn={signedIn} />;
  if (me === null || publicPaths.includes(path)) {
    if (me !== null && path === "/login") {
      navigate("/", { replace: true });
      return null;
    }
    return <LoginScreen onSignedIn={signedIn} />;
  }

  const session: SessionState = {
    me,
    refresh,
    signOut: async () => {
      await api.post("/auth/logout").catch(() => undefined);
      resetCsrf();
      setMe(null);
      navigate("/login", { replace: true });
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell path={path}>
        <Routes path={path} />
      </Shell>
      <Reauthenticate />
    </SessionContext.Provider>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
