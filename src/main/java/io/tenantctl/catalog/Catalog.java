package io.tenantctl.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tenantctl.PostgresUrl;
import io.tenantctl.TenantctlException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The PostgreSQL control plane: a small connection pool, Flyway migrations and the repositories.
 * Connection problems surface as CONFIG errors (exit 3) naming host:port/db and never the password.
 */
public final class Catalog implements AutoCloseable {

    /** The catalog schema version this build writes and expects: the highest V&lt;n&gt;__*.sql migration. */
    public static final int SCHEMA_VERSION = 20;
    /** Connections this process keeps to the catalog at most; every thread borrows one per query or transaction. */
    public static final int CONNECTIONS = 12;
    /** The longest wait for one reply from the catalog (a URL's socketTimeout= wins). */
    public static final int SOCKET_TIMEOUT_SECONDS = 60;
    /** The longest wait for a lock in the catalog: a lock held longer than this is another session's that is stuck. */
    public static final int LOCK_TIMEOUT_SECONDS = 30;

    /** Where a catalog URL comes from when the caller does not say: what the messages tell an operator to check. */
    public static final String DEFAULT_SOURCE = "--catalog / TENANTCTL_CATALOG_URL";

    private final PostgresUrl url;
    private final String source;
    private final HikariDataSource dataSource;

    private Catalog(PostgresUrl url, String source, HikariDataSource dataSource) {
        this.url = url;
        this.source = source;
        this.dataSource = dataSource;
    }

    /** Connects (failing within ~10 s when the server does not answer) without checking the schema. */
    public static Catalog connect(String rawUrl) {
        return connect(rawUrl, DEFAULT_SOURCE);
    }

    /**
     * As {@link #connect(String)}; {@code source} says where the URL was given ("--catalog", a variable, a file's key),
     * which the messages about a catalog that cannot be reached or read tell the operator to check.
     */
    public static Catalog connect(String rawUrl, String source) {
        PostgresUrl url = CatalogUrl.parse(rawUrl, source);
        String notNumbers = notNumbers(url.jdbcUrl());
        if (notNumbers != null) { // before connecting: wrong whatever the network does, so not "unreachable" when it is down
            throw TenantctlException.usage("catalog URL " + url.describe() + " has a parameter the driver cannot read as a number ("
                    + notNumbers + "): fix its ?… part in " + source);
        }
        HikariConfig cfg = new HikariConfig();
        cfg.setPoolName("tenantctl-catalog");
        cfg.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            cfg.setUsername(url.user());
        }
        if (url.password() != null) {
            cfg.setPassword(url.password());
        }
        cfg.addDataSourceProperty("connectTimeout", "5");
        cfg.addDataSourceProperty("loginTimeout", "8");
        cfg.addDataSourceProperty("ApplicationName", "tenantctl");
        // every wait on the catalog is bounded (the URL's own socketTimeout= wins): a catalog that stops answering
        // mid-statement (a failover whose host vanished) fails the command, exit 3, instead of hanging it for ever
        cfg.addDataSourceProperty("socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS));
        cfg.addDataSourceProperty("tcpKeepAlive", "true");
        // and so is every lock wait: a lock a frozen session holds is "busy" (SQL state 55P03, exit 3), not a silent hang
        cfg.setConnectionInitSql("set lock_timeout = '" + LOCK_TIMEOUT_SECONDS + "s'");
        // tenantctl's statements are written for PostgreSQL's default isolation: a DBA's database-wide
        // default_transaction_isolation = serializable made concurrent claims and records fail with 40001 ("busy …
        // another tenantctl holds what this needs", with no other tenantctl running), stopping runs and failing backups
        cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        cfg.setMaximumPoolSize(CONNECTIONS);
        cfg.setMinimumIdle(1);
        cfg.setConnectionTimeout(10_000);
        cfg.setInitializationFailTimeout(1);
        FirstConnection first = null;
        try {
            // the first connection is made here, not by the pool: when it fails the pool sleeps a second before it gives up
            // (even with a 1 ms fail timeout), so a catalog that is down or refuses the login was said a second late
            com.zaxxer.hikari.util.DriverDataSource driver = new com.zaxxer.hikari.util.DriverDataSource(cfg.getJdbcUrl(), null,
                    cfg.getDataSourceProperties(), cfg.getUsername(), cfg.getPassword());
            first = new FirstConnection(driver, driver.getConnection());
            cfg.setDataSource(first); // the pool starts with that connection (set up by it as any other), then connects as before
            return new Catalog(url, source, new HikariDataSource(cfg));
        } catch (SQLException | RuntimeException e) {
            if (first != null) {
                first.closeUnused();
            }
            for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
                if (t instanceof NumberFormatException bad) { // socketTimeout=abc: read once connected, not a reachability problem
                    throw TenantctlException.usage("catalog URL " + url.describe() + " has a parameter the driver cannot read as a number ("
                            + notANumber(url.jdbcUrl(), bad) + "): fix its ?… part in " + source);
                }
                if (t instanceof java.sql.SQLException refused && t.getCause() == null && refused.getMessage() != null
                        && refused.getMessage().matches("Invalid \\w+ value: .*")) { // sslmode=bogus, refused before connecting
                    throw TenantctlException.usage("catalog URL " + url.describe() + " has a parameter the driver refuses ("
                            + firstLine(refused.getMessage()) + "): fix its ?… part in " + source);
                }
            }
            throw unreachable(url, source, e);
        }
    }

    /**
     * The URL's parameters the driver reads as numbers that hold none, said by name (never a value), or null. The driver
     * says which: its properties whose default is a whole number read it with {@link org.postgresql.PGProperty#getInt}, but
     * for loginTimeout, which it reads as seconds with a fraction (Driver.timeout) and drops without a word when it cannot.
     */
    private static String notNumbers(String jdbcUrl) {
        java.util.Properties given = org.postgresql.Driver.parseURL(jdbcUrl, null);
        java.util.List<String> said = new java.util.ArrayList<>();
        for (org.postgresql.PGProperty p : org.postgresql.PGProperty.values()) {
            String dflt = p.getDefaultValue();
            if (given == null || !p.isPresent(given) || p == org.postgresql.PGProperty.PG_PORT || p.getChoices() != null
                    || dflt == null || !dflt.matches("-?[0-9]+")) {
                continue;
            }
            try {
                if (p == org.postgresql.PGProperty.LOGIN_TIMEOUT) {
                    Float.parseFloat(p.getOrDefault(given));
                } else {
                    p.getInt(given);
                }
            } catch (NumberFormatException | java.sql.SQLException e) {
                said.add(p.getName() + (p == org.postgresql.PGProperty.LOGIN_TIMEOUT ? " must be a number" : " must be a whole number"));
            }
        }
        return said.isEmpty() ? null : String.join(", ", said);
    }

    /**
     * Which of the URL's parameters holds the value {@code bad} could not read as a number, by name (never a value, nor a
     * parameter whose name says it is secret); the driver's own words when none does.
     */
    private static String notANumber(String jdbcUrl, NumberFormatException bad) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("For input string: \"(.*)\"").matcher(String.valueOf(bad.getMessage()));
        int q = jdbcUrl.indexOf('?');
        if (m.find() && q >= 0) {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (String pair : jdbcUrl.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                String lower = name.toLowerCase(java.util.Locale.ROOT);
                if (value.equals(m.group(1)) && !lower.contains("password") && !lower.contains("secret") && !lower.contains("key")) {
                    names.add(name);
                }
            }
            if (!names.isEmpty()) {
                return String.join(", ", names) + " must be a number";
            }
        }
        return firstLine(bad.getMessage());
    }

    /** Connects and checks that the catalog has been initialised by this version of tenantctl. */
    public static Catalog open(String rawUrl) {
        return open(rawUrl, DEFAULT_SOURCE);
    }

    /** As {@link #open(String)}, the URL given in {@code source} (see {@link #connect(String, String)}). */
    public static Catalog open(String rawUrl, String source) {
        Catalog catalog = connect(rawUrl, source);
        try {
            catalog.requireCurrentSchema();
            return catalog;
        } catch (RuntimeException e) {
            catalog.close();
            throw e;
        }
    }

    public String describe() {
        return url.describe();
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** The schema version recorded in the catalog, empty when it was never initialised; one from a newer tenantctl is refused (exit 3). */
    public Optional<Integer> schemaVersion() {
        return inConnection(c -> {
            boolean exists = Sql.one(c, "select to_regclass('flyway_schema_history') is not null", rs -> rs.getBoolean(1))
                    .orElse(false);
            if (!exists) {
                // a role whose search_path reaches no schema of this database ('$user' alone, its schema never made): nothing is
                // found there, and Flyway would try to create a schema named after the path ("Unable to create schema "$user"")
                // (a schema named alone, as currentSchema=tenantctl names it, is one init is to create: not refused)
                String path = Sql.one(c, "select current_setting('search_path')", rs -> rs.getString(1)).orElse("");
                String first = path.split(",")[0].strip().replace("\"", "");
                if ((first.isEmpty() || first.equals("$user")) && Sql.one(c, "select current_schema() is null", rs -> rs.getBoolean(1)).orElse(false)) {
                    throw TenantctlException.config("catalog " + describe() + ": the session's search_path (" + path + ") names no "
                            + "schema of this database, so tenantctl cannot find or create its tables: add currentSchema=SCHEMA "
                            + "(public, or the schema init put the catalog in) to " + source + ", or fix the role's search_path");
                }
                return Optional.<Integer>empty();
            }
            // compared as Flyway does, not cast to int: a newer tenantctl may number a migration 19.1 or by date
            return Sql.query(c, "select version from flyway_schema_history where success and version is not null",
                    rs -> MigrationVersion.fromVersion(rs.getString(1))).stream().max(MigrationVersion::compareTo).map(this::known);
        });
    }

    /** {@code newest}, applied, as a version this tenantctl's migrations number; refused (exit 3) when above them. */
    private int known(MigrationVersion newest) {
        if (newest.isNewerThan(String.valueOf(SCHEMA_VERSION))) {
            throw TenantctlException.config("catalog " + describe() + " was migrated by a newer tenantctl (schema version "
                    + newest.getVersion() + ", this tenantctl knows up to " + SCHEMA_VERSION + "): upgrade tenantctl");
        }
        return newest.getMajor().intValueExact();
    }

    /**
     * The catalog's clock. Ages of what the catalog stamped with its own now() (a deleted org, a retired database) are
     * judged by it, not by a worker's clock: one running days ahead would make a copy kept for safety look old enough
     * to drop.
     */
    public java.time.Instant now() {
        return inConnection(c -> Sql.one(c, "select now()", rs -> rs.getTimestamp(1).toInstant()).orElseThrow());
    }

    private volatile String id;

    /**
     * This catalog's identity: a random id made once, by the init that created the catalog (or upgraded it to version 14),
     * kept by a dump and restore of it, and written in every backup's manifest: a backup in the store that names another
     * catalog is that catalog's (one sharing the store, or the lost one a fresh init replaced), not this one's.
     */
    public String id() {
        String known = id;
        if (known == null) {
            known = inConnection(c -> Sql.one(c, "select catalog_id from catalog_identity", rs -> rs.getString(1))).orElseThrow();
            id = known;
        }
        return known;
    }

    /** Applies pending migrations; refuses a catalog migrated by a newer tenantctl. Returns the version now. */
    public int migrate() {
        refuseNewer();
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (org.flywaydb.core.api.FlywayException e) {
            // a database that holds other tables (the app's own, a shared one: the wrong URL), or a history edited by hand
            String why = String.valueOf(e.getMessage());
            throw TenantctlException.config("catalog " + describe() + (why.contains("non-empty schema")
                    ? " holds tables but is not a tenantctl catalog (no migration history): point --catalog / TENANTCTL_CATALOG_URL "
                    + "at an empty database of its own, or at the catalog" : " could not be migrated: " + why.lines().findFirst().orElse(why)
                    + refusedBecause(e) + "; run with -v for details"), e);
        }
        return schemaVersion().orElse(0);
    }

    /**
     * What the catalog said when it refused a migration ("Failed to execute script V15__….sql" says only which), as its
     * first line and SQL state: for a role that may not change the schema (not its owner, no CREATE), who may.
     */
    private static String refusedBecause(Throwable e) {
        for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getMessage() != null) {
                return " (" + firstLine(sql.getMessage()) + ", SQL state " + sql.getSQLState() + ")" + ("42501".equals(sql.getSQLState())
                        ? ": run init as the catalog's owner (a role that may create in its schema); every other command needs only "
                        + "SELECT, INSERT, UPDATE, DELETE on its tables" : "");
            }
        }
        return "";
    }

    /** Refuses (exit 3) a catalog migrated by a newer tenantctl, as init does, also for its dry run. */
    public void refuseNewer() {
        schemaVersion(); // refuses it
    }

    void requireCurrentSchema() {
        Optional<Integer> v = schemaVersion();
        if (v.isEmpty()) {
            java.util.List<String> elsewhere = inConnection(c -> Sql.query(c, "select n.nspname from pg_class t join pg_namespace n "
                    + "on n.oid = t.relnamespace where t.relname = 'flyway_schema_history' and t.relkind in ('r', 'p') order by 1",
                    rs -> rs.getString(1)));
            throw TenantctlException.config("catalog " + describe() + " is not initialised: run 'tenantctl init' first" + sameSource() + (elsewhere.isEmpty()
                    ? "" : " (or, if the catalog is the one in schema " + String.join(", ", elsewhere) + " of this database, which the "
                    + "session's search_path does not reach, add currentSchema=" + elsewhere.get(0) + " to " + source + ")"));
        }
        if (v.get() < SCHEMA_VERSION) {
            throw TenantctlException.config("catalog " + describe() + " is at schema version " + v.get()
                    + " but this tenantctl needs " + SCHEMA_VERSION + ": run 'tenantctl init'" + sameSource() + " to upgrade it");
        }
    }

    /**
     * Where init is to be pointed, when a bare 'tenantctl init' would read another catalog: given with --catalog (or a
     * config file), the pasted 'tenantctl init' went to TENANTCTL_CATALOG_URL's, or to none.
     */
    private String sameSource() {
        return source == null || source.equals(DEFAULT_SOURCE) || source.equals("TENANTCTL_CATALOG_URL") ? "" : " with the same " + source;
    }

    public PoolRepository pools() {
        return new PoolRepository(this);
    }

    public OrgRepository orgs() {
        return new OrgRepository(this);
    }

    public RunRepository runs() {
        return new RunRepository(this);
    }

    public OrgLeaseRepository leases() {
        return new OrgLeaseRepository(this);
    }

    public MoveRepository moves() {
        return new MoveRepository(this);
    }

    public BackupRepository backups() {
        return new BackupRepository(this);
    }

    public RestoreRepository restores() {
        return new RestoreRepository(this);
    }

    public FindingRepository findings() {
        return new FindingRepository(this);
    }

    public ManifestRepository manifests() {
        return new ManifestRepository(this);
    }

    /**
     * A session-level advisory lock on {@code key}, not yet taken, on a connection of its own held until the handle is
     * closed: {@link AdvisoryLock#tryTake} it once, or poll it to wait (never a blocking {@code pg_advisory_lock}, which
     * nothing can stop short of the holder letting go).
     */
    public AdvisoryLock advisoryLock(long key) {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw failure(e);
        }
        // the lock's session sits idle while its holder works (a whole rollout): an idle_session_timeout a DBA set on the
        // role or database (PostgreSQL 14+) would end it, and the lock with it, without a word, letting a second rollout in
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("select set_config('idle_session_timeout', '0', false) where current_setting('server_version_num')::int >= 140000");
        } catch (SQLException e) {
            giveBack(c, true);
            throw failure(e);
        }
        return new AdvisoryLock(this, c, key);
    }

    /** The advisory lock on {@code key} if no other session holds it (one try), released when the handle is closed. */
    public Optional<AutoCloseable> tryLock(long key) {
        AdvisoryLock lock = advisoryLock(key);
        try {
            if (lock.tryTake()) {
                return Optional.of(lock);
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        lock.close();
        return Optional.empty();
    }

    /** A connection back to the pool; {@code drop}: closed for good instead (it may still hold a session lock). */
    void giveBack(Connection c, boolean drop) {
        if (drop) {
            dataSource.evictConnection(c);
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // Hikari closes a connection it cannot take back
        }
    }

    /** Work on one connection, auto-commit. */
    public <T> T inConnection(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Work in one transaction: committed when {@code work} returns, rolled back when it throws. */
    public <T> T inTransaction(SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException lost) {
                    e.addSuppressed(lost); // the connection broke: what broke it is the error, not "Connection is closed"
                }
                throw e;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    RuntimeException failure(SQLException e) {
        String state = e.getSQLState();
        if (state == null && e instanceof java.sql.SQLTransientConnectionException) { // the pool handed out no connection in time
            return new TenantctlException(TenantctlException.Category.CONFIG, "catalog " + describe() + " is too slow or too busy: "
                    + firstLine(e.getMessage()) + "; retry with a lower --concurrency (each worker shares " + CONNECTIONS + " catalog "
                    + "connections), or add workers with --join", e);
        }
        if (state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("28") || state.equals("53300"))) {
            return unreachable(url, source, e);
        }
        if (state != null && (state.equals("25006") || state.equals("25P03"))) {
            // a catalog that no longer takes writes (a hot standby after a failover, default_transaction_read_only = on), or a
            // session the server ended mid-transaction: nothing more this command records would be kept, so it stops (exit 3)
            return new Unreachable("catalog " + describe() + (state.equals("25006")
                    ? " is read-only (" + firstLine(e.getMessage()) + "): the URL reaches a hot standby, or the database or role has "
                    + "default_transaction_read_only = on — point " + source + " at the primary (several hosts: add "
                    + "targetServerType=primary), then run the command again (a run it stopped: --resume RUN_ID)"
                    : " ended tenantctl's session (" + firstLine(e.getMessage()) + "): an idle_in_transaction_session_timeout set on "
                    + "the role or database is shorter than a transaction of tenantctl's — raise or reset it for tenantctl's role, "
                    + "then run the command again"), e);
        }
        if ("57014".equals(state)) { // statement_timeout (or pg_cancel_backend): the statement was not committed
            return new TenantctlException(TenantctlException.Category.CONFIG, "catalog " + describe() + " cancelled a statement ("
                    + firstLine(e.getMessage()) + "): a statement_timeout set on the role or database (ALTER ROLE … SET "
                    + "statement_timeout) is shorter than tenantctl's statements, or a DBA cancelled it — raise or reset it for "
                    + "tenantctl's role, then run the command again", e);
        }
        if ("42501".equals(state)) { // a role with less than DML on the catalog's tables
            return new TenantctlException(TenantctlException.Category.CONFIG, "catalog " + describe() + " refused tenantctl's role ("
                    + firstLine(e.getMessage()) + "): grant it SELECT, INSERT, UPDATE, DELETE on every table of the catalog's "
                    + "schema and USAGE on the schema (or run as the catalog's owner), then run the command again", e);
        }
        if (state != null && state.startsWith("53")) { // disk full, out of memory, too many connections, a configured limit
            return new TenantctlException(TenantctlException.Category.CONFIG, "catalog " + describe() + " is out of resources ("
                    + firstLine(e.getMessage()) + ", SQL state " + state + "): ask its DBA to free or raise them, then run the "
                    + "command again", e);
        }
        if (state != null && (state.equals("55P03") || state.equals("40P01") || state.equals("40001"))) {
            return new TenantctlException(TenantctlException.Category.CONFIG, "catalog " + describe() + " is busy (" + firstLine(e.getMessage())
                    + "): another tenantctl holds what this needs; retry, or wait for it", e);
        }
        // not the catalog's state but a query tenantctl got wrong (or a catalog edited by hand): not a config error
        return new TenantctlException(TenantctlException.Category.INTERNAL, "catalog " + describe() + " query failed: "
                + firstLine(e.getMessage()) + " (SQL state " + state + "; run with -v and report it)", e);
    }

    private static TenantctlException unreachable(PostgresUrl url, String source, Throwable e) {
        String why = e.getMessage(); // the deepest cause that says something (a socket's EOFException says nothing)
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            // an unknown host's message is the bare name: "catalog unreachable at db_1:5432/x: db_1" said nothing
            why = t instanceof java.net.UnknownHostException ? "unknown host " + t.getMessage()
                    : t.getMessage() != null ? t.getMessage() : why;
        }
        if (stateIn(e, "28000") || stateIn(e, "28P01") || why != null && why.contains("no password was provided")) {
            // the server answered and refused the login: "unreachable … check that PostgreSQL is running" sent one to a server that was fine
            return new Unreachable("catalog " + url.describe() + " refused tenantctl's login: " + firstLine(why) + " — check the user "
                    + "and password in " + source + " (the password is read from the URL only, not from PGPASSWORD), then "
                    + "run the command again", e);
        }
        return new Unreachable("catalog unreachable at " + url.describe() + ": " + firstLine(why)
                + (stateIn(e, "53300") ? " — PostgreSQL has no connection left for tenantctl (max_connections, or the role's"
                + " connection limit, is used up): wait for its other clients to finish, end idle ones (pg_stat_activity) or raise"
                + " the limit, then run the command again" : stateIn(e, "57P05") ? " — an idle_session_timeout set on the role or"
                + " database ended tenantctl's session: raise it, or reset it for tenantctl's role (ALTER ROLE … RESET"
                + " idle_session_timeout), then run the command again" : " — check " + source + " and that PostgreSQL is running"), e);
    }

    /**
     * Whether {@code e} or one of its causes is an SQLException of SQL state {@code state}: 53300, the server refused the
     * connection for want of a free one ("sorry, too many clients already", "too many connections for role …"), where
     * the URL and the server are fine; 57P05, an idle_session_timeout ended the session.
     */
    private static boolean stateIn(Throwable e, String state) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The catalog could not be reached, or its connection broke mid-statement: whether that statement was committed is
     * unknown, so a caller that records work in the catalog must stop rather than record anything more on top of it. So
     * too a catalog that turned read-only (a standby after a failover): nothing more it is told would be kept.
     */
    public static final class Unreachable extends TenantctlException {
        Unreachable(String message, Throwable cause) {
            super(Category.CONFIG, message, cause);
        }

        /** The catalog-unreachable failure behind {@code t} (itself, or one of its causes), if any. */
        public static java.util.Optional<Unreachable> in(Throwable t) {
            return causeOf(t, Unreachable.class);
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** The driver's connections, the first of which was made before the pool was: handed to the pool as its first. */
    private static final class FirstConnection implements DataSource {
        private final DataSource driver;
        private final java.util.concurrent.atomic.AtomicReference<Connection> first;

        FirstConnection(DataSource driver, Connection first) {
            this.driver = driver;
            this.first = new java.util.concurrent.atomic.AtomicReference<>(first);
        }

        void closeUnused() {
            Connection unused = first.getAndSet(null);
            if (unused != null) {
                try {
                    unused.close();
                } catch (SQLException ignored) {
                    // the command fails on the pool's error; this connection was never used
                }
            }
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = first.getAndSet(null);
            return c != null ? c : driver.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            Connection c = first.getAndSet(null); // made with these same credentials (the pool's, from the URL)
            return c != null ? c : driver.getConnection(username, password);
        }

        @Override
        public java.io.PrintWriter getLogWriter() throws SQLException {
            return driver.getLogWriter();
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) throws SQLException {
            driver.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            driver.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return driver.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
            return driver.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return driver.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return driver.isWrapperFor(iface);
        }
    }

    /** A unit of JDBC work. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection c) throws SQLException;
    }
}
