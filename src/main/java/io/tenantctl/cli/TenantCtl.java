package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.PoolConnector;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The top-level command: global options (accepted anywhere on the line) and the verbs and nouns beneath. */
@Command(name = "tenantctl", mixinStandardHelpOptions = true, versionProvider = TenantCtl.Version.class,
        description = "Operate a database-per-organisation fleet on FerretDB pools.",
        subcommands = {InitCommand.class, PoolsCommand.class, ProvisionCommand.class, MigrateAllCommand.class, OrgsCommand.class,
                SchemaCommand.class, RunsCommand.class, BackupCommand.class, RestoreCommand.class, BackupsCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 some orgs failed, 2 usage or validation error,",
                "3 config/connectivity error, 4 verify or schema diff found problems, 130 interrupted."})
public final class TenantCtl implements Runnable {

    public static final int EXIT_INTERRUPTED = 130;
    /**
     * A check ran to the end and found problems (schema diff; verify): not an error, the result is on stdout as usual,
     * but a pipeline must be able to stop on it without parsing the output.
     */
    public static final int EXIT_PROBLEMS = 4;

    private final CliContext ctx;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    TenantCtl(CliContext ctx) {
        this.ctx = ctx;
    }

    /** Shared with the context by the factory; declared here so every subcommand inherits the options. */
    @CommandLine.Mixin
    GlobalOptions options;

    @Override
    public void run() {
        spec.commandLine().usage(ctx.out);
    }

    /** Runs tenantctl in-process: the entry point for main and for tests. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(out, err, env, UnaryOperator.identity(), new CancelToken(), args);
    }

    /** As {@link #run(PrintWriter, PrintWriter, Map, String...)}, with pool access decorated (tests inject faults here). */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, UnaryOperator<PoolConnector> poolDecorator,
                          CancelToken cancel, String... args) {
        try (CliContext ctx = new CliContext(out, err, env, poolDecorator, cancel)) {
            CommandLine cmd = commandLine(ctx);
            return cmd.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(CliContext ctx) {
        CommandLine cmd = new CommandLine(TenantCtl.class, new Factory(ctx));
        cmd.setOut(ctx.out);
        cmd.setErr(ctx.err);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(ctx, e));
        return cmd;
    }

    /** One line on stderr saying what failed; the stack trace only with -v; the category decides the exit code. */
    static int handle(CliContext ctx, Exception e) {
        if (e instanceof TenantctlException te) {
            ctx.err.println("error: " + te.getMessage());
            if (ctx.verbose()) {
                ctx.err.println(stackTrace(e));
            }
            ctx.err.flush();
            return te.category().exitCode;
        }
        ctx.err.println("error: unexpected " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                + (ctx.verbose() ? "" : " (run with -v for the stack trace)"));
        if (ctx.verbose()) {
            ctx.err.println(stackTrace(e));
        }
        ctx.err.flush();
        return 1;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    /** Builds commands with the context injected, so commands need no no-arg constructors. */
    static final class Factory implements CommandLine.IFactory {
        private final CliContext ctx;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == GlobalOptions.class) {
                return cls.cast(ctx.options);
            }
            try {
                var ctor = cls.getDeclaredConstructor(CliContext.class);
                ctor.setAccessible(true);
                return ctor.newInstance(ctx);
            } catch (NoSuchMethodException e) {
                return fallback.create(cls);
            }
        }
    }

    /** Version from the jar manifest, or "dev" when running from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TenantCtl.class.getPackage().getImplementationVersion();
            return new String[]{"tenantctl " + (v == null ? "dev" : v)};
        }
    }
}
