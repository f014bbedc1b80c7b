package io.tenantctl.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.nio.file.Path;

/**
 * Options accepted anywhere on the line (inherited by every subcommand). One instance per invocation, shared by
 * the top-level command (as a mixin) and the {@link CliContext}, so wherever an option is typed it lands here.
 * Fields, not setters, so the generated completion script lists them in a stable order.
 */
public final class GlobalOptions {

    /** -o values. */
    public enum Format { table, json }

    /** --log-format values. */
    public enum LogFormat { text, json }

    @Option(names = "--catalog", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Catalog PostgreSQL URL (jdbc:postgresql://, postgres://, postgresql://). Default: $TENANTCTL_CATALOG_URL.")
    String catalogUrl;

    @Option(names = "--store", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Object store: s3://bucket/prefix or file:///path. Default: $TENANTCTL_STORE.")
    String storeUrl;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Properties file with a default for any setting (catalog=, store=, per-pool=2, tenantctl.backup.compression=gzip, ...; "
                    + "flags and environment win). What a command acts on (orgs, pools, runs) is always typed.")
    Path configFile;

    @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "FORMAT", defaultValue = "table",
            description = "Output format: table or json (json: one document on stdout, nothing else).")
    Format output = Format.table;

    @Option(names = "--log-format", scope = ScopeType.INHERIT, paramLabel = "STYLE", defaultValue = "text",
            description = {"stderr lines: text, or json (one object a line: ts, level, msg, verb, run_id, org_id…; no progress bars)."})
    LogFormat logFormat;

    @Option(names = "--no-progress", scope = ScopeType.INHERIT, description = "Never draw progress bars.")
    boolean noProgress;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Only results and errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Log more; print stack traces on errors.")
    boolean verbose;

    /** Declared here rather than through picocli's standard help mixin, whose option names need variable interpolation. */
    @Option(names = {"-h", "--help"}, scope = ScopeType.INHERIT, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, scope = ScopeType.INHERIT, versionHelp = true, description = "Print the version and exit.")
    boolean version;
}
