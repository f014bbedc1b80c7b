package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.CancelToken;
import io.tenantctl.pool.PoolConnector;
import io.tenantctl.cli.render.Output;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The top-level command: global options (accepted anywhere on the line) and the verbs and nouns beneath. */
@Command(name = "tenantctl", versionProvider = TenantCtl.Version.class,
        description = "Operate a database-per-organisation fleet on FerretDB pools.",
        footer = {"", "Exit codes: 0 ok, 1 some orgs failed, 2 usage or validation error,",
                "3 config/connectivity error, 4 a check found problems (verify, schema diff, backups show),", "130 interrupted."})
public final class TenantCtl implements Runnable {

    /** The verbs and nouns beneath tenantctl, in the order help lists them (added by {@link #commandLine(CliContext, String[])}). */
    private static final List<Class<?>> COMMANDS = List.of(InitCommand.class, PoolsCommand.class, ProvisionCommand.class,
            MigrateAllCommand.class, OrgsCommand.class, SchemaCommand.class, RunsCommand.class, BackupCommand.class, RestoreCommand.class,
            BackupsCommand.class, RebalanceCommand.class, VerifyCommand.class, HelpCommand.class);

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

    /** No subcommand: the help, as text or (with -o json) the same one JSON document as --help -o json. */
    @Override
    public void run() {
        printHelp(ctx, spec.commandLine());
    }

    /** Runs tenantctl in-process: the entry point for main and for tests. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return run(out, err, env, UnaryOperator.identity(), new CancelToken(), args);
    }

    /** As {@link #run(PrintWriter, PrintWriter, Map, String...)}, with pool access decorated (tests inject faults here). */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, UnaryOperator<PoolConnector> poolDecorator,
                          CancelToken cancel, String... args) {
        try (CliContext ctx = new CliContext(out, err, env, poolDecorator, cancel)) {
            readBeforeParsing(ctx, args);
            ctx.jsonRequested = jsonRequested(args, ctx.configOutput());
            CommandLine cmd = commandLine(ctx, args);
            cancel.onQuit(() -> quitAtOnce(ctx, cancel.working()));
            // a second Ctrl-C/SIGTERM before the command starts says its refusal in the output asked for (no file read then)
            cancel.onRefusal(refusal(out, err, ctx.json(), ctx.logJson() ? "json" : "text", cancel));
            int code;
            try {
                // a Ctrl-C/SIGTERM before this point: the command does not start, and says so once (-o json: its one document),
                // unless a second signal said it first (and halts the process)
                code = cancel.start() ? cmd.execute(args) : EXIT_INTERRUPTED;
                if (!cancel.started()) {
                    cancel.refuse(() -> handle(ctx, TenantctlException.interruptedBeforeStart(cancel.reason())));
                }
            } catch (OutOfMemoryError oom) { // picocli hands only Exceptions to handle(): one line and one document here too
                code = handle(ctx, TenantctlException.outOfMemory(oom));
            }
            if (ctx.metrics != null) {
                ctx.metrics.finish(code);
            }
            if (code != 0 && ctx.json() && !ctx.wroteOutput()) {
                // A command that failed without saying so on stdout: -o json still gets its one document.
                errorJson(ctx, code, categoryOf(code), "failed with exit code " + code + "; the reason is on stderr", null);
            }
            return code;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The whole command tree. */
    static CommandLine commandLine(CliContext ctx) {
        return commandLine(ctx, null);
    }

    /**
     * The command tree {@code args} need: the top-level command the line names, with everything beneath it; the whole
     * tree for {@code help}, for help or the version asked of tenantctl itself, for a line naming no command it knows (the
     * top-level usage and its suggestions) and where {@code args} is null. picocli builds every command's model up front
     * (~70 commands, the global options copied into each): ~10 ms of CPU a run, a third of the test suite's CPU, where
     * tenantctl runs in-process thousands of times. The config file's keys are checked against the whole tree ({@link #execute}).
     */
    static CommandLine commandLine(CliContext ctx, String[] args) {
        CommandLine cmd = new CommandLine(TenantCtl.class, new Factory(ctx));
        String only = args == null ? null : commandNamed(cmd.getCommandSpec(), args);
        for (Class<?> c : COMMANDS) {
            if (only == null || only.equals(nameOf(c))) {
                cmd.addSubcommand(c);
            }
        }
        // a file name this JVM cannot encode (cönfig under a C locale): said as what to do, not as picocli's InvalidPathException
        cmd.registerConverter(java.nio.file.Path.class, TenantCtl::path);
        // No ${...} in a description may ever expand: picocli would read the environment (secrets) and system properties.
        cmd.setInterpolateVariables(false);
        everyCommand(cmd, c -> c.getCommandSpec().usageMessage().showDefaultValues(true));
        // a pool may hold a database named like a flag (-v): adopt takes an option's value as given, so the 'orgs adopt ...
        // --database -v' that verify, discover and adopt's refusals print runs when pasted (picocli would want '-v' as a flag)
        everyCommand(cmd, c -> c.setAllowOptionsAsOptionParameters(c.getCommandSpec().userObject() instanceof OrgsAdoptCommand));
        cmd.setOut(ctx.out);
        cmd.setErr(ctx.err);
        cmd.setParameterExceptionHandler((e, line) -> usageError(ctx, e, line));
        // A missing file is reported once, by execute (exit 2); picocli's provider would first print a warning of its own.
        // The file as tenantctl reads it (UTF-8; picocli's own reading would be Latin-1, and would print a warning of its
        // own for a line it cannot parse, even under -q): one unreadable file is one usage error, from checkConfigKeys.
        ctx.configFile().filter(java.nio.file.Files::isRegularFile)
                .ifPresent(file -> cmd.setDefaultValueProvider(settingsOnly(arg -> stripped(new CommandLine.PropertiesDefaultProvider(
                        ctx.configOrNone()).defaultValue(arg)))));
        cmd.setExecutionStrategy(parseResult -> execute(ctx, parseResult));
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(ctx, withItsSource(ctx, e, parseResult)));
        return cmd;
    }

    /**
     * The config file's defaults, except --catalog and --store: those are resolved flag, then environment, then file by
     * {@link CliContext}, so an exported TENANTCTL_CATALOG_URL / TENANTCTL_STORE wins over the file (picocli would fill the
     * option from the file, and it would pass for a typed flag), and help never shows the file's catalog URL as a default.
     * Nor what a command acts on ({@link #typedOnly}).
     */
    private static CommandLine.IDefaultValueProvider settingsOnly(CommandLine.IDefaultValueProvider file) {
        return arg -> typedOnly(arg) || arg instanceof CommandLine.Model.OptionSpec o && (o.longestName().equals("--catalog")
                || o.longestName().equals("--store")) ? null : file.defaultValue(arg);
    }

    /**
     * What a command acts on — its arguments (an org, a pool, a run, a move), its required options and the options
     * marked {@link ActsOn} — is typed, never filled from the config file: picocli's provider gave a positional argument the value of the key spelt
     * like its label, so a line {@code ORG=acme} (an environment variable, to the README) made 'orgs delete' with its
     * argument forgotten delete acme; {@code org=acme} made a bare 'restore' restore it; and {@code pool=pool-1} would
     * narrow every migrate-all, backup --due and verify to that pool without a word.
     */
    private static boolean typedOnly(CommandLine.Model.ArgSpec arg) {
        // a required option too: forgotten, it is an error (exit 2), not a value a file shared by every command fills in
        // ('capacity=' meant for pools add set the capacity of whichever pool the next set-capacity named)
        // (asked of the annotation: picocli's required() asks the default provider, which asks this)
        return arg instanceof CommandLine.Model.PositionalParamSpec || arg.userObject() instanceof java.lang.reflect.Field f
                && (f.isAnnotationPresent(ActsOn.class) || f.isAnnotationPresent(Destroys.class)
                || f.isAnnotationPresent(CommandLine.Option.class) && f.getAnnotation(CommandLine.Option.class).required());
    }

    /**
     * The config keys of the options typed only ({@link ActsOn}, {@link Destroys}) on some command, each with why: what
     * a config file holding it is told.
     */
    static Map<String, String> typedOnlyKeys(CommandLine.Model.CommandSpec root) {
        Map<String, String> keys = new java.util.HashMap<>();
        String destroys = "lets a command drop or overwrite data: type it on the command line each time";
        // a name both kinds of option have (--force) is said as the one that destroys
        everyCommand(root.commandLine(), c -> c.getCommandSpec().options().stream().filter(TenantCtl::typedOnly).forEach(o -> keys.merge(
                configName(o), ((java.lang.reflect.Field) o.userObject()).isAnnotationPresent(Destroys.class) ? destroys
                        : "names what a command acts on: type it on the command line", (was, now) -> was.equals(destroys) ? was : now)));
        return keys;
    }

    /**
     * Every key picocli's properties provider reads, past {@link #settingsOnly}, for some option of some command: its
     * description key or its long name without dashes ({@code per-pool}), alone or after the command's qualified name
     * ({@code tenantctl.provision.tier}). No positional argument is read from the file ({@link #typedOnly}). A global
     * option ({@link GlobalOptions}) is read only under its plain key ({@link #globalKeys}).
     */
    static java.util.Set<String> configKeys(CommandLine.Model.CommandSpec root) {
        java.util.Set<String> keys = new java.util.HashSet<>();
        everyCommand(root.commandLine(), c -> {
            CommandLine.Model.CommandSpec spec = c.getCommandSpec();
            // --help, --version and --config are never read from the file: help=true in it did nothing, silently
            spec.options().stream().filter(o -> !typedOnly(o) && !o.usageHelp() && !o.versionHelp() && !o.longestName().equals("--config"))
                    .forEach(o -> {
                List<String> names = new ArrayList<>(List.of(configName(o)));
                if (o.descriptionKey() != null && !o.descriptionKey().isEmpty()) {
                    names.add(o.descriptionKey());
                }
                for (String name : names) {
                    keys.add(name);
                    if (!global(o)) {
                        keys.add(spec.qualifiedName(".") + "." + name);
                    }
                }
            });
        });
        return keys;
    }

    /**
     * The keys of the global options, each with what a refusal may show as its value: "" for the file's own (a word:
     * json, true), else the option's label (a URL may hold a password).
     */
    static Map<String, String> globalKeys(CommandLine.Model.CommandSpec root) {
        Map<String, String> keys = new java.util.HashMap<>();
        root.options().stream().filter(TenantCtl::global).forEach(o -> keys.put(configName(o),
                o.type().isEnum() || o.type() == boolean.class ? "" : o.paramLabel()));
        return keys;
    }

    /** A global option (accepted anywhere on the line), on the top-level command or inherited by a subcommand. */
    private static boolean global(CommandLine.Model.OptionSpec o) {
        return o.inherited() || o.scopeType() == CommandLine.ScopeType.INHERIT;
    }

    /** The key an option is read by: its long name without the dashes ({@code per-pool}). */
    private static String configName(CommandLine.Model.OptionSpec o) {
        return o.longestName().replaceFirst("^[^\\p{javaJavaIdentifierPart}]+", "");
    }

    /**
     * The top-level command {@code args} name, read as picocli reads them (global options and their values first), but
     * for {@code help}; null when help or the version is asked of tenantctl itself, or the first word is no command.
     */
    private static String commandNamed(CommandLine.Model.CommandSpec root, String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("-") && a.length() > 1) {
                int eq = a.indexOf('=');
                CommandLine.Model.OptionSpec o = root.findOption(eq < 0 ? a : a.substring(0, eq));
                if (o == null || o.usageHelp() || o.versionHelp()) {
                    return null; // '--' and options tenantctl does not know included: the whole tree's usage error
                }
                i += eq < 0 && o.arity().max() > 0 ? 1 : 0;
                continue;
            }
            return COMMANDS.stream().map(TenantCtl::nameOf).filter(a::equals).filter(n -> !n.equals("help")).findFirst().orElse(null);
        }
        return null;
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /** A file option's value as a path; one this JVM's file-name encoding cannot encode is refused saying what to do. */
    private static java.nio.file.Path path(String name) {
        try {
            return java.nio.file.Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            throw new CommandLine.TypeConversionException(name.replace('\uFFFD', '?') + " cannot be named: "
                    + io.tenantctl.IoErrors.fileNamesNotUtf8());
        }
    }

    private static void everyCommand(CommandLine cmd, java.util.function.Consumer<CommandLine> action) {
        action.accept(cmd);
        for (CommandLine sub : cmd.getSubcommands().values()) {
            everyCommand(sub, action);
        }
    }

    /** --help and --version on any command, as text or (with -o json) one JSON document; else the command itself. */
    private static int execute(CliContext ctx, CommandLine.ParseResult parseResult) {
        try {
            ctx.checkConfigFile();
        } catch (TenantctlException e) {
            return handle(ctx, e);
        }
        for (CommandLine c : parseResult.asCommandLineList()) {
            if (c.isUsageHelpRequested()) {
                printHelp(ctx, c);
                return 0;
            }
            if (c.isVersionHelpRequested()) {
                String version = new Version().getVersion()[0];
                if (ctx.json()) {
                    Output.json(ctx.out, Map.of("version", version.substring(version.indexOf(' ') + 1)));
                } else {
                    ctx.out.println(version);
                }
                return 0;
            }
        }
        Object last = parseResult.asCommandLineList().get(parseResult.asCommandLineList().size() - 1).getCommandSpec().userObject();
        if (last instanceof HelpCommand || last instanceof TenantCtl) {
            return new CommandLine.RunLast().execute(parseResult); // help, as --help: a key no option reads is what it is read to fix
        }
        try {
            // the line's tree holds only the commands it names: a config file's keys are those of every command
            java.util.function.Supplier<CommandLine.Model.CommandSpec> root = new java.util.function.Supplier<>() {
                private CommandLine.Model.CommandSpec whole;

                @Override
                public CommandLine.Model.CommandSpec get() {
                    return whole != null ? whole : (whole = commandLine(ctx).getCommandSpec());
                }
            };
            ctx.checkConfigKeys(() -> configKeys(root.get()), () -> typedOnlyKeys(root.get()), () -> globalKeys(root.get()));
            requireAValueInEachList(parseResult);
        } catch (TenantctlException e) {
            return handle(ctx, e);
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /**
     * A comma-separated option typed with nothing between its commas ({@code --org ,}, or {@code --org "$LIST"} with an
     * empty list in a script that left a comma) gave no value, and no --org means every org: refused (exit 2) instead.
     * So is an empty item in a list ({@code a1,}, {@code a1,,a2}).
     */
    private static void requireAValueInEachList(CommandLine.ParseResult parseResult) {
        for (CommandLine c : parseResult.asCommandLineList()) {
            for (CommandLine.Model.OptionSpec o : c.getParseResult().matchedOptions()) {
                if (o.splitRegex().isEmpty()) {
                    continue;
                }
                for (String typed : o.originalStringValues()) { // '' is refused by each option's own check (an empty id)
                    if (!typed.isEmpty() && java.util.Arrays.stream(typed.split(o.splitRegex())).allMatch(String::isBlank)) {
                        throw TenantctlException.usage(o.longestName() + " '" + typed + "' names nothing: give at least one "
                                + o.paramLabel() + ", or leave " + o.longestName() + " out");
                    }
                    // 'a1,' as 'a1,,a2': picocli dropped a trailing empty item without a word, and refused one between
                    List<String> items = List.of(typed.split(o.splitRegex(), -1));
                    if (!typed.isEmpty() && items.stream().anyMatch(String::isBlank)) {
                        throw TenantctlException.usage(o.longestName() + " '" + typed + "' has an empty " + o.paramLabel()
                                + " (a comma too many): give " + o.longestName() + " " + String.join(",", items.stream()
                                .filter(i -> !i.isBlank()).map(String::strip).toList()));
                    }
                }
            }
        }
    }

    static void printHelp(CliContext ctx, CommandLine c) {
        if (ctx.json()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("command", c.getCommandSpec().qualifiedName());
            doc.put("usage", Mask.secrets(c.getUsageMessage(CommandLine.Help.Ansi.OFF)));
            Output.json(ctx.out, doc);
        } else {
            // defaults from a config file are shown, and one may hold a URL with a password
            ctx.out.print(Mask.secrets(c.getUsageMessage(CommandLine.Help.Ansi.OFF)));
            ctx.out.flush();
        }
    }

    /**
     * A bad command line: one line saying what is wrong, the command's synopsis and where its help is; exit 2. With -o json
     * the error document on stdout says it, and stderr gets only the same one-line message (README: one line unless -v).
     */
    private static int usageError(CliContext ctx, CommandLine.ParameterException e, String[] args) {
        CommandLine c = e.getCommandLine();
        String fromFile = fromConfigFile(ctx, e, args);
        String what = Mask.secrets(firstLine(e.getMessage()) + fromFile); // picocli quotes what it could not match
        if (e.getCause() instanceof DurationConverter.NoUnit noUnit && e.getArgSpec() instanceof CommandLine.Model.OptionSpec o) {
            what = Mask.secrets(o.longestName() + " " + noUnit.getMessage() + fromFile); // the flag, not "Invalid value for option"
        }
        String instead = c.getCommandSpec().userObject() instanceof RestoreCommand ? RestoreCommand.insteadOfResume(args) : null;
        if (instead != null) { // not picocli's "Missing required option '--org'": what goes on with the run it names
            what = Mask.secrets(instead);
        }
        if (e.getMessage() != null && e.getMessage().startsWith("Missing required subcommand") && !c.getSubcommands().isEmpty()) {
            // a noun alone ('tenantctl orgs'): which commands it has, as kubectl and gh say it
            what = c.getCommandSpec().qualifiedName() + " needs a command: " + c.getSubcommands().keySet().stream()
                    .filter(name -> !c.getSubcommands().get(name).getCommandSpec().usageMessage().hidden())
                    .collect(java.util.stream.Collectors.joining(", "));
        }
        String help = "Run '" + c.getCommandSpec().qualifiedName() + " --help' for the options.";
        if (ctx.logJson()) {
            StringWriter suggestions = new StringWriter();
            CommandLine.UnmatchedArgumentException.printSuggestions(e, new PrintWriter(suggestions));
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("category", "usage");
            fields.put("command", c.getCommandSpec().qualifiedName());
            fields.put("suggestions", suggestions.toString().isBlank() ? null : Mask.secrets(suggestions.toString().strip()));
            fields.put("usage", c.getHelp().synopsis(0).strip());
            fields.put("hint", help);
            ctx.log("error", what, fields, "");
        } else if (ctx.json() || !fromFile.isEmpty() || instead != null) {
            // a value from the config file: the line typed is not what is wrong, so no synopsis of it (nor the top level's);
            // nor for a restore --resume, whose line says what to run instead
            ctx.err.println("error: " + what);
        } else {
            ctx.err.println("error: " + what);
            StringWriter suggestions = new StringWriter();
            CommandLine.UnmatchedArgumentException.printSuggestions(e, new PrintWriter(suggestions, true));
            ctx.err.print(Mask.secrets(suggestions.toString()));
            ctx.err.print(c.getHelp().synopsis(0));
            ctx.err.println(help);
        }
        ctx.err.flush();
        int code = TenantctlException.Category.USAGE.exitCode;
        if (ctx.json()) {
            errorJson(ctx, code, "usage", what, null);
        }
        return code;
    }

    /**
     * Where a bad option value came from when it was not on the command line: the config file (picocli's default
     * provider), so that an operator who never typed --per-pool is told which file to fix.
     */
    private static String fromConfigFile(CliContext ctx, CommandLine.ParameterException e, String[] args) {
        if (!(e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) || ctx.configFile().isEmpty()) {
            return "";
        }
        for (String arg : args) {
            for (String name : option.names()) {
                if (arg.equals(name) || arg.startsWith(name + "=") || (name.length() == 2 && arg.startsWith(name) && !arg.startsWith("--"))) {
                    return "";
                }
            }
        }
        return fileNote(ctx, configKey(ctx, option));
    }

    /** The config file's key {@code option} is read by: scoped to its command when the file has that, else plain. */
    private static String configKey(CliContext ctx, CommandLine.Model.OptionSpec option) {
        String key = configName(option);
        String scoped = option.command() == null ? null : option.command().qualifiedName(".") + "." + key;
        return scoped != null && !global(option) && ctx.configOrNone().getProperty(scoped) != null ? scoped : key;
    }

    private static String fileNote(CliContext ctx, String... keys) {
        return " (not on the command line: the value comes from key" + (keys.length == 1 ? " " : "s ") + String.join(", ", keys)
                + " of the config file " + ctx.configFile().get() + ")";
    }

    /** A config file's value as an option reads it: 'per-pool=2 ' (a trailing space) is 2, as a duration was. */
    private static String stripped(String value) {
        return value == null ? null : value.strip();
    }

    /**
     * A usage error about the value of an option the line did not type (--per-pool must be at least 1, not 0), or of
     * a variable the environment does not set, when the config file gave it: with the key and the file, as a value
     * the option cannot parse is said ({@link #fromConfigFile}), so that the operator is told which file to fix. Said
     * in this one place for every range check, wherever it is made.
     */
    private static Exception withItsSource(CliContext ctx, Exception e, CommandLine.ParseResult parseResult) {
        if (!(e instanceof TenantctlException te) || te.category() != TenantctlException.Category.USAGE || ctx.configFile().isEmpty()
                || te.getMessage() == null) {
            return e;
        }
        String message = te.getMessage();
        java.util.regex.Matcher variable = java.util.regex.Pattern.compile("^([A-Z][A-Z0-9_]*) ").matcher(message);
        if (variable.find()) {
            String name = variable.group(1);
            return ctx.env.get(name) == null && ctx.configOrNone().getProperty(name) != null
                    ? rethrown(te, message + fileNote(ctx, name)) : e;
        }
        int must = message.indexOf(" must ");
        if (!message.startsWith("--") || must < 0) {
            return e;
        }
        CommandLine.ParseResult sub = parseResult;
        while (sub.hasSubcommand()) {
            sub = sub.subcommand();
        }
        List<String> keys = new ArrayList<>();
        java.util.regex.Matcher flag = java.util.regex.Pattern.compile("--[a-z][a-z0-9-]*").matcher(message.substring(0, must));
        while (flag.find()) {
            CommandLine.Model.OptionSpec o = sub.commandSpec().findOption(flag.group());
            if (o == null) {
                continue;
            }
            if (sub.hasMatchedOption(o)) {
                return e; // one of the values named was typed: which one is wrong is not known here
            }
            String key = configKey(ctx, o);
            if (ctx.configOrNone().getProperty(key) != null) {
                keys.add(key);
            }
        }
        return keys.isEmpty() ? e : rethrown(te, message + fileNote(ctx, keys.toArray(String[]::new)));
    }

    private static TenantctlException rethrown(TenantctlException te, String message) {
        TenantctlException said = new TenantctlException(te.category(), message, te);
        return te.runId() == null ? said : said.withRunId(te.runId());
    }

    /**
     * The second Ctrl-C/SIGTERM, just before the process halts: one line naming the run left as it was and what takes it
     * over, and with -o json the one document (the error, the run's id), as every other failure has.
     */
    static void quitAtOnce(CliContext ctx, io.tenantctl.fanout.CancelToken.Working w) {
        String message = "quit at once (a second Ctrl-C/SIGTERM): the orgs in flight were stopped where they were"
                + (w == null ? "" : w.verb().equals("restore") ? "; restore run " + w.runId() + " is left as it is: the next command that "
                + "touches the org rolls back what it did (at once on this host; elsewhere once its lease runs out, 60 s) — 'tenantctl "
                + "runs show " + w.runId() + "' says which org and backup, to restore again"
                : "; run " + w.runId() + " is left as it is: '" + io.tenantctl.ops.Runs.command(w.verb()) + " --resume "
                + w.runId() + "' takes it over (at once on this host; elsewhere once its leases run out, 60 s), or 'tenantctl runs cancel "
                + w.runId() + "'");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("category", "interrupted");
        fields.put("exit_code", EXIT_INTERRUPTED);
        fields.put("run_id", w == null ? null : w.runId());
        ctx.log("error", message, fields, "error: " + message);
        if (ctx.json()) {
            errorJson(ctx, EXIT_INTERRUPTED, "interrupted", message, w == null ? null : w.runId());
        }
        ctx.out.flush();
        ctx.err.flush();
    }

    /**
     * What a second Ctrl-C/SIGTERM that quits before the command started says: the command line's refusal (one line; -o
     * json, its one document) on {@code out} and {@code err}, as {@code json} and {@code logFormat} say; it reads no file (the
     * config file may be what holds the process).
     */
    private static Runnable refusal(PrintWriter out, PrintWriter err, boolean json, String logFormat, CancelToken cancel) {
        return () -> {
            try (CliContext said = new CliContext(out, err, Map.of(), UnaryOperator.identity(), cancel)) {
                said.jsonRequested = json;
                said.logFormatRequested = logFormat;
                handle(said, TenantctlException.interruptedBeforeStart(cancel.reason()));
            }
        };
    }

    /**
     * As {@link #refusal(PrintWriter, PrintWriter, boolean, String, CancelToken)}, from the command line alone (-o json and
     * --log-format as typed): for a second signal before {@link #run} knows the output (it has not read the config file).
     */
    public static Runnable refusal(PrintWriter out, PrintWriter err, CancelToken cancel, String... args) {
        String logFormat = optionValue(args, "--log-format");
        return refusal(out, err, jsonRequested(args), logFormat == null ? "text" : logFormat, cancel);
    }

    /** One line on stderr saying what failed; the stack trace only with -v; the category decides the exit code. */
    static int handle(CliContext ctx, Exception e) {
        java.util.Optional<TenantctlException> poolSilence = io.tenantctl.ops.Errors.unnamedPoolSilence(e, ctx.opsIfCatalogOpen());
        if (poolSilence.isPresent()) { // a pool's silence no op named: exit 3 as the named ones, not 'unexpected' (a bug)
            return handle(ctx, poolSilence.get());
        }
        java.util.Optional<TenantctlException> afterRun = io.tenantctl.ops.Errors.catalogLostAfter(e, ctx.cancel == null ? null : ctx.cancel.recorded());
        if (afterRun.isPresent()) { // the catalog lost once a run was recorded, no run-stopped line naming it: named
            return handle(ctx, afterRun.get());
        }
        if (e instanceof TenantctlException te) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("category", te.category().name().toLowerCase(Locale.ROOT));
            fields.put("exit_code", te.category().exitCode);
            fields.put("run_id", te.runId());
            fields.put("stack", ctx.verbose() ? stackTrace(e) : null);
            // a name from a pool may hold a newline or an escape sequence: the line stays one, as tables keep it (-o json: exact)
            ctx.log("error", te.getMessage(), fields, "error: " + Output.printable(te.getMessage())
                    + (ctx.verbose() ? System.lineSeparator() + stackTrace(e) : ""));
            if (ctx.json()) {
                errorJson(ctx, te.category().exitCode, te.category().name().toLowerCase(Locale.ROOT), te.getMessage(), te.runId());
            }
            return te.category().exitCode;
        }
        String message = "unexpected " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("category", "internal");
        fields.put("exit_code", 1);
        fields.put("stack", ctx.verbose() ? stackTrace(e) : null);
        ctx.log("error", message + (ctx.verbose() ? "" : " (run with -v for the stack trace)"), fields, "error: " + Output.printable(message)
                + (ctx.verbose() ? System.lineSeparator() + stackTrace(e) : " (run with -v for the stack trace)"));
        if (ctx.json()) {
            errorJson(ctx, 1, "internal", message, null);
        }
        return 1;
    }

    /**
     * {@code {"error": {"code", "category", "message"[, "run_id"]}}} on stdout, unless the command already printed its
     * document there: -o json promises exactly one.
     */
    private static void errorJson(CliContext ctx, int code, String category, String message, String runId) {
        if (ctx.wroteOutput()) {
            return;
        }
        Output.json(ctx.out, Map.of("error", error(code, category, message, runId)));
    }

    /** The error -o json prints, {@code {code, category, message[, run_id]}} (masked), for a command's own document too. */
    static Map<String, Object> error(int code, String category, String message, String runId) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("category", category);
        error.put("message", Mask.secrets(message));
        if (runId != null) {
            error.put("run_id", runId);
        }
        return error;
    }

    private static String categoryOf(int code) {
        for (TenantctlException.Category c : TenantctlException.Category.values()) {
            if (c.exitCode == code) {
                return c.name().toLowerCase(Locale.ROOT);
            }
        }
        return "internal";
    }

    /** --config and --log-format as typed, read before parsing (a line that does not parse still reads its config file). */
    private static void readBeforeParsing(CliContext ctx, String[] args) {
        ctx.configRequested = optionValue(args, "--config");
        ctx.logFormatRequested = optionValue(args, "--log-format");
    }

    /**
     * What {@code main} sets up before the command line is parsed, from what is typed and the config file (--config or
     * TENANTCTL_CONFIG in {@code env}, read once), as the CLI's own lines read them: {@code logJson}, --log-format json;
     * {@code verbose}, -v or {@code verbose=true} (the libraries' log levels).
     */
    public record ProcessSettings(boolean logJson, boolean verbose) {
    }

    public static ProcessSettings processSettings(Map<String, String> env, String... args) {
        boolean typedVerbose = java.util.Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        try (CliContext ctx = new CliContext(new PrintWriter(java.io.Writer.nullWriter()), new PrintWriter(java.io.Writer.nullWriter()),
                env, UnaryOperator.identity(), new CancelToken())) {
            readBeforeParsing(ctx, args);
            boolean verbose = typedVerbose;
            if (!verbose) {
                try {
                    verbose = "true".equalsIgnoreCase(ctx.config().getProperty("verbose", "").strip());
                } catch (TenantctlException unreadable) {
                    // said by the command itself, once it parses
                }
            }
            return new ProcessSettings(ctx.logJson(), verbose);
        }
    }

    /**
     * The process's stderr for {@code main}: every line written to it (libraries' loggers, the signal handler) masked, and
     * with {@code logJson} ({@link #processSettings}) turned into a JSON log object.
     */
    public static java.io.PrintStream stderr(java.io.PrintStream raw, boolean logJson) {
        return new java.io.PrintStream(LogLines.processStream(raw, logJson), true, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The value of a long option on the line ({@code --name V} or {@code --name=V}), read before parsing; null if absent. */
    static String optionValue(String[] args, String name) {
        String value = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals(name) && i + 1 < args.length) {
                value = args[++i];
            } else if (args[i].startsWith(name + "=")) {
                value = args[i].substring(name.length() + 1);
            }
        }
        return value;
    }

    /**
     * Whether the command line asks for -o json, read before parsing so that a line picocli cannot parse still gets its
     * JSON error document.
     */
    static boolean jsonRequested(String[] args) {
        return jsonRequested(args, null);
    }

    /**
     * As {@link #jsonRequested(String[])}, with the config file's {@code output} key ({@code configOutput}, or null) as
     * the default when the line names no format: a line that does not parse still gets the JSON error document the
     * config file asked for.
     */
    static boolean jsonRequested(String[] args, String configOutput) {
        boolean json = "json".equals(configOutput);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if ((a.equals("-o") || a.equals("--output")) && i + 1 < args.length) {
                json = args[++i].equals("json");
            } else if (a.startsWith("--output=") || a.startsWith("-o=")) {
                json = a.substring(a.indexOf('=') + 1).equals("json");
            } else if (a.startsWith("-o") && !a.startsWith("--")) {
                json = a.substring(2).equals("json");
            }
        }
        return json;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    static String stackTrace(Throwable t) {
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
