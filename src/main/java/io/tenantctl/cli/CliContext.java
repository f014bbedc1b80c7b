package io.tenantctl.cli;

import io.tenantctl.NextStep;
import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.Catalog;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.ops.OpsContext;
import io.tenantctl.pool.PoolClients;
import io.tenantctl.pool.PoolConnector;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * Everything a command needs besides its own options: the global options, the environment, the output
 * writers, and the catalog and pool connections, opened lazily and closed once at exit.
 */
public final class CliContext implements AutoCloseable {

    final Map<String, String> env;
    final PrintWriter out;
    final PrintWriter err;
    final CancelToken cancel;
    private final UnaryOperator<PoolConnector> poolDecorator;

    final GlobalOptions options = new GlobalOptions();
    /** -o json seen on the command line before parsing (so a line that does not parse still answers in JSON). */
    boolean jsonRequested;
    /** --config seen on the command line before parsing: its keys are every option's defaults. */
    String configRequested;
    /** --log-format's value on the command line before parsing (so a line that does not parse still logs as asked), or null. */
    String logFormatRequested;
    /** What log lines carry besides ts/level/msg: the verb, the run id, once known. */
    final Map<String, Object> logContext = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** --metrics-file of the fan-out verb being run, written by {@link TenantCtl} once the exit code is known; or null. */
    Metrics metrics;
    private final LogLines log;
    private final WriteTracker outTracker;

    private Catalog catalog;
    private PoolConnector pools;
    private Properties config;

    CliContext(PrintWriter out, PrintWriter err, Map<String, String> env, UnaryOperator<PoolConnector> poolDecorator,
               CancelToken cancel) {
        this.outTracker = new WriteTracker(out);
        this.out = new PrintWriter(outTracker);
        this.log = new LogLines(err, this::logJson, this::logContextCopy, java.time.Clock.systemUTC());
        this.err = new PrintWriter(log);
        this.env = env;
        this.poolDecorator = poolDecorator;
        this.cancel = cancel;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    boolean quiet() {
        return options.quiet;
    }

    boolean verbose() {
        return options.verbose;
    }

    public boolean json() {
        return jsonRequested || options.output == GlobalOptions.Format.json;
    }

    /** Whether anything was printed on stdout yet (with -o json: whether its one document was written). */
    boolean wroteOutput() {
        out.flush();
        return outTracker.written;
    }

    /** Progress bars only for people: stderr on a terminal, not quiet, not asked to stay silent, not JSON logs. */
    boolean interactive() {
        return !options.noProgress && !options.quiet && !logJson() && System.console() != null && !"dumb".equals(env.get("TERM"));
    }

    /**
     * Whether stderr is JSON lines: --log-format as typed on the line wins (read before parsing, so a usage error obeys
     * it), then as parsed (flag or --config default), then the config file's log-format key.
     */
    boolean logJson() {
        if (logFormatRequested != null) {
            return logFormatRequested.equals("json");
        }
        if (options.logFormat != null) {
            return options.logFormat == GlobalOptions.LogFormat.json;
        }
        try {
            return "json".equals(config().getProperty("log-format"));
        } catch (TenantctlException unreadable) {
            return false;
        }
    }

    private Map<String, Object> logContextCopy() {
        synchronized (logContext) {
            return new java.util.LinkedHashMap<>(logContext);
        }
    }

    /** A line for a person on stderr (suppressed by -q). */
    void note(String line) {
        if (!options.quiet) {
            err.println(line);
            err.flush();
        }
    }

    /**
     * A warning on stderr ("warning: …"; level warn in JSON logs), suppressed by -q, which keeps stderr to errors. Every
     * warning a command gives goes through here.
     */
    void warn(String message) {
        if (!options.quiet) {
            log("warn", message, Map.of(), "warning: " + message);
        }
    }

    /**
     * One stderr line with fields: {@code text} as is with --log-format text, else one JSON object with {@code msg}
     * and {@code fields} (nulls left out).
     */
    void log(String level, String msg, Map<String, Object> fields, String text) {
        err.flush();
        Map<String, Object> masked = new java.util.LinkedHashMap<>();
        fields.forEach((k, v) -> masked.put(k, v instanceof String str ? Mask.secrets(str) : v));
        try {
            log.log(level, Mask.secrets(msg), masked, Mask.secrets(text));
        } catch (IOException e) {
            // stderr is gone: nothing left to tell
        }
    }

    /** The catalog, checked to be initialised at this build's schema version. */
    Catalog catalog() {
        if (catalog == null) {
            GivenUrl given = catalogGiven();
            catalog = OpsContext.openCatalog(given.url(), given.source(), false);
        }
        return catalog;
    }

    /** What ops work with, when this command has its catalog open already; else null (nothing opened for an error's sake). */
    OpsContext opsIfCatalogOpen() {
        try {
            return catalog == null ? null : ops();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The catalog without the schema check, for {@code init}. */
    Catalog catalogForInit() {
        if (catalog == null) {
            GivenUrl given = catalogGiven();
            catalog = OpsContext.openCatalog(given.url(), given.source(), true);
        }
        return catalog;
    }

    String resolveCatalogUrl() {
        return catalogGiven().url();
    }

    /** A URL and where it was given, as an operator would fix it: the flag, the variable, or the config file's key (null: nowhere). */
    private record GivenUrl(String url, String source) {
    }

    /** The catalog URL: --catalog, else TENANTCTL_CATALOG_URL (the environment's, then the config file's), else catalog=. */
    private GivenUrl catalogGiven() {
        if (options.catalogUrl != null) {
            return new GivenUrl(options.catalogUrl, "--catalog");
        }
        String fromEnv = env.get("TENANTCTL_CATALOG_URL");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new GivenUrl(fromEnv, "TENANTCTL_CATALOG_URL");
        }
        String inFile = " in the config file " + configFile().map(Path::toString).orElse(null);
        String fromFile = config().getProperty("TENANTCTL_CATALOG_URL"); // the file's UPPER_CASE key, not hidden by an empty variable
        if (fromFile != null && !fromFile.isBlank()) {
            return new GivenUrl(fromFile, "TENANTCTL_CATALOG_URL=" + inFile);
        }
        String key = config().getProperty("catalog");
        if (key == null && fromEnv != null) {
            return new GivenUrl(fromEnv, "TENANTCTL_CATALOG_URL"); // set but empty ($(vault read …) gave nothing): said as that
        }
        return new GivenUrl(key, key == null ? null : "catalog=" + inFile); // none given anywhere: the catalog says where one is given
    }

    String resolveStoreUrl() {
        if (options.storeUrl != null) {
            return options.storeUrl;
        }
        String fromEnv = effectiveEnv().get("TENANTCTL_STORE");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : config().getProperty("store");
    }

    /** The config file named by --config or TENANTCTL_CONFIG, if any. */
    java.util.Optional<Path> configFile() {
        if (options.configFile != null) {
            return java.util.Optional.of(options.configFile);
        }
        if (configRequested != null) {
            return configPath(configRequested);
        }
        String fromEnv = env.get("TENANTCTL_CONFIG");
        return fromEnv == null || fromEnv.isBlank() ? java.util.Optional.empty() : configPath(fromEnv);
    }

    /** A config file name this JVM cannot make a path of (cönfig under a C locale), said by {@link #checkConfigFile}; null if none. */
    private String unnameableConfig;

    /** {@code name} as a path, or none (remembered for {@link #checkConfigFile} to say) when this JVM's file-name encoding cannot encode it. */
    private java.util.Optional<Path> configPath(String name) {
        try {
            return java.util.Optional.of(Path.of(name));
        } catch (java.nio.file.InvalidPathException e) {
            unnameableConfig = name.replace('\uFFFD', '?');
            return java.util.Optional.empty();
        }
    }

    /** A config file that was asked for must exist: a typo would otherwise silently run with no config at all. */
    void checkConfigFile() {
        if (configFile().isEmpty() && unnameableConfig != null) {
            throw TenantctlException.usage("config file " + unnameableConfig + " cannot be named: " + io.tenantctl.IoErrors.fileNamesNotUtf8()
                    + " (from " + (configRequested != null ? "--config" : "TENANTCTL_CONFIG") + ")");
        }
        configFile().ifPresent(f -> {
            if (f.toString().isEmpty()) { // --config '' (a variable left empty): the empty path is the working directory
                throw TenantctlException.usage("--config is empty: name the properties file, or leave --config out");
            }
            if (!Files.isRegularFile(f)) {
                throw TenantctlException.usage("config file " + f + (Files.isDirectory(f) ? " is a directory: name the properties file in it"
                        : " does not exist") + " (from " + (options.configFile != null || configRequested != null ? "--config" : "TENANTCTL_CONFIG") + ")");
            }
            List<String> secrets = secretKeys(config());
            if (!secrets.isEmpty() && othersCanRead(f)) {
                warn("config file " + f + " can be read by every user of this machine and holds secrets (" + String.join(", ", secrets)
                        + "): chmod 600 " + NextStep.shellWord(f.toString()));
            }
        });
    }

    /**
     * The keys of {@code config} whose line holds a secret, by name (never a value), as every output's mask reads one: a
     * password, secret or token variable (POOL1_PASSWORD, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), or a URL with a
     * password in it (catalog=postgres://u:pw@…; not u:${VAR}@).
     */
    static List<String> secretKeys(Properties config) {
        return config.stringPropertyNames().stream().filter(k -> !config.getProperty(k).isBlank())
                .filter(k -> Mask.holdsSecret(k + "=" + config.getProperty(k).strip())).sorted().toList();
    }

    /** Whether users other than the file's owner and group may read {@code f} (false where the file system has no such modes). */
    private static boolean othersCanRead(Path f) {
        try {
            return Files.getPosixFilePermissions(f).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Every lower-case key of the config file must be one an option reads ({@code known}): a misspelt one
     * ({@code per_pool=1}, {@code concurency=4}) would otherwise be ignored without a word, and the run go on with the
     * default the operator meant to change. UPPER_CASE keys are environment variables, which are not checked.
     */
    void checkConfigKeys(java.util.function.Supplier<java.util.Set<String>> knownKeys, java.util.function.Supplier<Map<String, String>> typedOnly,
                         java.util.function.Supplier<Map<String, String>> globalKeys) {
        Path file = configFile().orElse(null);
        if (file == null || !Files.isRegularFile(file)) {
            return; // no file: the command tree is not walked for its keys
        }
        java.util.Set<String> known = knownKeys.get();
        List<String> unknown = config().stringPropertyNames().stream().filter(k -> !k.matches("[A-Z][A-Z0-9_]*") && !known.contains(k))
                .sorted().toList();
        if (unknown.isEmpty()) {
            return;
        }
        // per_pool, Per-Pool: an option's name spelt otherwise
        java.util.function.UnaryOperator<String> asOption = k -> k.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        java.util.function.Predicate<String> misspelt = k -> k.matches("[A-Za-z._-]{1,64}") && known.contains(asOption.apply(k));
        Map<String, String> typed = typedOnly.get();
        java.util.function.UnaryOperator<String> option = k -> k.replaceFirst("^tenantctl\\..*\\.", "");
        java.util.Optional<String> target = unknown.stream().filter(k -> typed.containsKey(option.apply(k))).findFirst();
        // tenantctl.orgs.list.output=json: a global option is read only under its plain key, whatever the command
        Map<String, String> globals = globalKeys.get();
        java.util.function.UnaryOperator<String> global = k -> k.replaceFirst("^tenantctl\\.(.*\\.)?", "");
        java.util.Optional<String> underACommand = unknown.stream().filter(k -> k.startsWith("tenantctl.") && globals.containsKey(global.apply(k)))
                .findFirst();
        // concurency, compresion: a letter or two off one option's name (only keys spelt like an option are quoted back)
        java.util.function.Function<String, java.util.Optional<String>> meantBy = k -> misspelt.test(k) ? java.util.Optional.of(asOption.apply(k))
                : k.matches("[a-z][a-z._-]{3,63}") && !typed.containsKey(option.apply(k)) && !globals.containsKey(global.apply(k))
                ? nearest(k, known) : java.util.Optional.empty();
        java.util.Optional<String> meant = unknown.stream().filter(k -> meantBy.apply(k).isPresent()).findFirst();
        // any other key spelt otherwise than an option (digits, capitals) may be a secret pasted on a line of its own
        List<String> shown = unknown.stream().limit(5).map(k -> k.matches("[a-z][a-z._-]{0,63}") || misspelt.test(k) ? k
                : "(one not shown: not spelt like an option)").distinct().toList();
        throw TenantctlException.usage("config file " + file + " has " + (unknown.size() == 1 ? "a key" : unknown.size() + " keys")
                + " no option reads: " + String.join(", ", shown) + (unknown.size() > 5 ? ", …" : "")
                + meant.map(k -> " (" + k + ": did you mean " + meantBy.apply(k).orElseThrow() + "?)").orElse("")
                + target.map(k -> " (" + k + " " + typed.get(option.apply(k)) + ", never in a config file)").orElse("")
                + underACommand.map(k -> " (" + k + ": " + global.apply(k) + " is a global option, set it as '" + global.apply(k) + "="
                        + wordOr(config().getProperty(k), globals.get(global.apply(k))) + "' (it applies to every command))").orElse("")
                + "; a key is an option's long name without dashes (per-pool=2) or tenantctl.COMMAND.OPTION "
                + "(tenantctl.provision.tier=growth), and UPPER_CASE keys are environment variables");
    }

    /** The one known key within two edits (one for a short key) of {@code key}, if exactly one is nearest. */
    private static java.util.Optional<String> nearest(String key, java.util.Set<String> known) {
        int limit = key.length() < 6 ? 1 : 2;
        int best = limit + 1;
        List<String> found = new java.util.ArrayList<>();
        for (String k : known) {
            int d = org.jline.utils.Levenshtein.distance(key, k); // Damerau: a swap of two letters is one edit
            if (d > limit) {
                continue;
            }
            if (d < best) {
                best = d;
                found.clear();
            }
            if (d == best) {
                found.add(k);
            }
        }
        return found.size() == 1 ? java.util.Optional.of(found.get(0)) : java.util.Optional.empty();
    }

    /** {@code value} when it is a word that can be no secret (json, true), else {@code label} (or … without one). */
    private static String wordOr(String value, String label) {
        return label.isEmpty() && value.strip().matches("[a-z]{1,16}") ? value.strip() : label.isEmpty() ? "…" : label;
    }

    /**
     * The environment as tenantctl reads it: the real one, with the config file's UPPER_CASE keys (TENANTCTL_S3_ENDPOINT,
     * AWS_REGION, …) as defaults for variables the environment does not set.
     */
    Map<String, String> effectiveEnv() {
        Properties c = config();
        if (c.isEmpty()) {
            return env;
        }
        Map<String, String> merged = new java.util.HashMap<>();
        for (String key : c.stringPropertyNames()) {
            if (key.matches("[A-Z][A-Z0-9_]*")) {
                merged.put(key, c.getProperty(key));
            }
        }
        merged.putAll(env);
        return merged;
    }

    /**
     * The config file's {@code output} key (its default for -o), read before parsing; null without a config file or
     * when it cannot be read (that is reported once the line is parsed).
     */
    String configOutput() {
        try {
            return configFile().filter(Files::isRegularFile).map(f -> config().getProperty("output")).map(String::strip).orElse(null);
        } catch (TenantctlException unreadable) {
            return null;
        }
    }

    /** The config file's keys, or none when it is unreadable (said once, as a usage error, by {@link #checkConfigKeys}). */
    Properties configOrNone() {
        try {
            return config();
        } catch (TenantctlException e) {
            return new Properties();
        }
    }

    Properties config() {
        if (config == null) {
            Properties loaded = new Properties();
            Path file = configFile().orElse(null);
            if (file != null) {
                try {
                    loaded.load(new java.io.StringReader(withoutByteOrderMark(Files.readString(file))));
                } catch (IOException e) {
                    // not remembered: every later read reports it again rather than running on an empty config
                    throw TenantctlException.usage("config file " + file + " is unreadable: " + io.tenantctl.IoErrors.describe(e));
                } catch (IllegalArgumentException e) { // Properties' "Malformed \\uxxxx encoding": its line may be a secret, not quoted
                    throw TenantctlException.usage("config file " + file + " is unreadable: a value holds a backslash-u not followed by "
                            + "four hex digits (write \\\\ for a backslash)");
                }
            }
            config = loaded;
        }
        return config;
    }

    /** The text without a leading UTF-8 byte-order mark, as Notepad and Windows PowerShell save "UTF-8". */
    static String withoutByteOrderMark(String text) {
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    PoolConnector pools() {
        if (pools == null) {
            pools = poolDecorator.apply(new PoolClients(effectiveEnv()));
        }
        return pools;
    }

    OpsContext ops() {
        return OpsContext.standard(catalog(), pools(), actor(), cancel::isCancelled, line -> {
            if (!options.quiet) { // an op's "warning: …" is a warning, as warn() gives it
                boolean warning = line.startsWith("warning: ");
                log(warning ? "warn" : "info", warning ? line.substring("warning: ".length()) : line, Map.of(),
                        io.tenantctl.cli.render.Output.printable(line));
            }
        });
    }

    /** Who is acting, as recorded on runs: user@host. */
    String actorName() {
        return actor();
    }

    private String actor() {
        return actor(env, System.getProperty("user.name"), CliContext::processUid, CliContext::kernelHostname);
    }

    /**
     * user@host: the user from USER, LOGNAME or USERNAME, else the account Java names; a process whose uid has no account
     * and no such variable (a pod's arbitrary uid, as OpenShift runs one) is {@code uid-N}, not Java's {@code ?}, which
     * every run recorded and 'another migrate-all is in progress (… started by ? …)' quoted. The host is HOSTNAME, else
     * the machine's own name ({@code machine}): bash does not export HOSTNAME, nor do cron and systemd set it, so runs
     * that cron hosts started were all plain "root", whichever host ran them.
     */
    static String actor(Map<String, String> env, String account, java.util.function.Supplier<String> uid,
                        java.util.function.Supplier<String> machine) {
        String user = java.util.stream.Stream.of(env.get("USER"), env.get("LOGNAME"), env.get("USERNAME"), account)
                .filter(u -> u != null && !u.isBlank() && !u.equals("?")).map(String::strip).findFirst().orElseGet(uid);
        String host = env.getOrDefault("HOSTNAME", "").strip();
        if (host.isEmpty()) {
            host = machine.get().strip();
        }
        return host.isEmpty() ? user : user + "@" + host;
    }

    /** The kernel's host name (Linux; no DNS lookup, which InetAddress.getLocalHost may make), else empty. */
    private static String kernelHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** {@code uid-N} for this process (Linux: the owner of /proc/self), else {@code unknown}. */
    private static String processUid() {
        try {
            return "uid-" + Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) { // no /proc, no unix attribute view
            return "unknown";
        }
    }

    /** Passes everything through and remembers whether anything passed. */
    private static final class WriteTracker extends java.io.Writer {
        private final java.io.Writer delegate;
        volatile boolean written;

        WriteTracker(java.io.Writer delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            if (len > 0) {
                written = true;
            }
            delegate.write(cbuf, off, len);
        }

        @Override
        public void flush() throws IOException {
            delegate.flush();
        }

        @Override
        public void close() throws IOException {
            delegate.flush();
        }
    }

    @Override
    public void close() {
        out.flush();
        err.flush();
        try {
            log.close();
        } catch (IOException e) {
            // stderr is gone
        }
        if (pools != null) {
            pools.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }
}
