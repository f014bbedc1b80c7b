package io.tenantctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.fanout.CancelToken;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Runs many tenantctl command lines in one process whose environment is the real one (a child JVM started by a test
 * with sentinel secrets in it), logging at -v levels on the real stderr, and writes each command's exit code, stdout
 * and stderr to {@code OUT_DIR/NNN.{args,code,out,err}}.
 *
 * <p>Usage: {@code ScanDriver COMMANDS_FILE OUT_DIR}. One command line a line, arguments separated by tabs.
 * {@code @every-command} expands to the help, JSON help, {@code help …} form and a usage error of every command.
 * A line may start with {@code @unset=VAR,VAR<tab>} to run that command without those variables.
 * An argument {@code @run_id} / {@code @backup_id} is replaced by the last such id a previous command printed in JSON.
 */
public final class ScanDriver {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ScanDriver() {
    }

    public static void main(String[] argv) throws IOException {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
        System.setProperty("org.slf4j.simpleLogger.log.org.mongodb.driver", "info");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        Path outDir = Path.of(argv[1]);
        Files.createDirectories(outDir);
        List<List<String>> commands = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(argv[0]))) {
            if (line.isBlank()) {
                continue;
            }
            if (line.equals("@every-command")) {
                commands.addAll(everyCommandsHelp());
            } else {
                commands.add(List.of(line.split("\t", -1)));
            }
        }
        String runId = null;
        String backupId = null;
        int n = 0;
        for (List<String> raw : commands) {
            List<String> args = new ArrayList<>();
            Map<String, String> env = new java.util.HashMap<>(System.getenv());
            String unset = "";
            if (!raw.isEmpty() && raw.get(0).startsWith("@unset=")) {
                unset = raw.get(0) + "\t";
                for (String var : raw.get(0).substring("@unset=".length()).split(",")) {
                    env.remove(var);
                }
                raw = raw.subList(1, raw.size());
            }
            for (String a : raw) {
                args.add(a.equals("@run_id") ? String.valueOf(runId) : a.equals("@backup_id") ? String.valueOf(backupId) : a);
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = TenantCtl.run(new PrintWriter(out), new PrintWriter(err), env, UnaryOperator.identity(),
                    new CancelToken(), args.toArray(String[]::new));
            String name = String.format("%03d", n++);
            Files.writeString(outDir.resolve(name + ".args"), unset + String.join("\t", args));
            Files.writeString(outDir.resolve(name + ".code"), String.valueOf(code));
            Files.writeString(outDir.resolve(name + ".out"), out.toString());
            Files.writeString(outDir.resolve(name + ".err"), err.toString());
            if (args.contains("json")) {
                try {
                    JsonNode doc = MAPPER.readTree(out.toString());
                    runId = doc != null && doc.hasNonNull("run_id") ? doc.get("run_id").asText() : runId;
                    JsonNode orgs = doc == null ? null : doc.get("orgs");
                    if (orgs != null && orgs.isArray() && !orgs.isEmpty() && orgs.get(0).hasNonNull("backup_id")) {
                        backupId = orgs.get(0).get("backup_id").asText();
                    }
                } catch (IOException notJson) {
                    // the test asserts on it
                }
            }
        }
        System.err.flush();
    }

    /** For every command: --help, -o json --help, help COMMAND…, and an unknown option (a usage error). */
    static List<List<String>> everyCommandsHelp() {
        List<List<String>> lines = new ArrayList<>();
        PrintWriter sink = new PrintWriter(new StringWriter());
        try (CliContext ctx = new CliContext(sink, sink, Map.of(), UnaryOperator.identity(), new CancelToken())) {
            for (List<String> path : commandPaths(TenantCtl.commandLine(ctx), new ArrayList<>())) {
                lines.add(concat(path, "--help"));
                lines.add(concat(path, "-o", "json", "--help"));
                lines.add(concat(path, "--no-such-option"));
                if (!path.isEmpty()) {
                    List<String> help = new ArrayList<>(List.of("help"));
                    help.addAll(path);
                    lines.add(help);
                }
            }
        }
        return lines;
    }

    /** The path of every command under {@code cmd} (the root itself as the empty path). */
    static List<List<String>> commandPaths(CommandLine cmd, List<String> prefix) {
        List<List<String>> paths = new ArrayList<>();
        paths.add(List.copyOf(prefix));
        for (var e : cmd.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().name().equals(e.getKey())) {
                List<String> next = new ArrayList<>(prefix);
                next.add(e.getKey());
                paths.addAll(commandPaths(e.getValue(), next));
            }
        }
        return paths;
    }

    private static List<String> concat(List<String> path, String... more) {
        List<String> all = new ArrayList<>(path);
        all.addAll(Arrays.asList(more));
        return all;
    }
}
