import pg from "pg";

/**
 * The URL whose password PostgreSQL accepts now: the given one, else the same URL with the
 * password a credentials rotation is replacing (DATABASE_PASSWORD_PREVIOUS), which PostgreSQL
 * keeps until the rotation's last step. For short-lived programs (a backup's pg_dump) that open
 * their connections once; the app's pool switches per connection instead (createPool).
 */
export async function urlThatOpens(
  url: string,
  previousPassword: string | undefined,
): Promise<string> {
  if (!previousPassword) return url;
  const probe = new pg.Client({ connectionString: url, application_name: "fintrack-probe" });
  try {
    await probe.connect();
    return url;
  } catch (error) {
    if ((error as { code?: unknown }).code !== "28P01") return url;
    const previous = new URL(url);
    previous.password = encodeURIComponent(previousPassword);
    return previous.toString();
  } finally {
    await probe.end().catch(() => undefined);
  }
}
