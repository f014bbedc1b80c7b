package io.tenantctl.ops.run;

import io.tenantctl.TenantctlException;
import io.tenantctl.fanout.Timings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A dry run's lines, taken as the run plans them, in its order: a dry run records no run, so they cannot be read back from
 * the catalog as a run's are ({@link ReportLines#read}). Up to {@link ReportLines#PAGE} of them are held in memory (printed
 * as ever, no temporary file needed); past that they are written to a temporary file and read back from it one at a time
 * when handed over, so that a fleet's are never held at once. Their counts by outcome are kept as they come. The fan-out
 * verbs' are taken by {@link RunEngine#plan}; rebalance apply's, whose moves it plans itself one after another (each
 * counted on those before it), by the verb, which then makes its {@link #planned} of them.
 */
public final class PlannedLines implements Consumer<RunReport.Org> {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> counts = new TreeMap<>();
    private List<RunReport.Org> held = new ArrayList<>();
    private Path file;
    private BufferedWriter out;

    @Override
    public void accept(RunReport.Org o) {
        counts.merge(o.outcome(), 1, Integer::sum);
        if (file == null && held.size() < ReportLines.PAGE) {
            held.add(o);
            return;
        }
        try {
            if (file == null) {
                open();
            }
            write(o);
        } catch (IOException e) {
            throw cannotSpool(e);
        }
    }

    private void write(RunReport.Org o) throws IOException {
        out.write(JSON.writeValueAsString(Arrays.asList(o.orgId(), o.poolId(), o.outcome(), o.attempts(), o.ms(), o.error(), o.detailJson(),
                o.marks().stream().map(Enum::name).toList())));
        out.newLine();
    }

    private void open() throws IOException {
        try {
            file = Files.createTempFile("tenantctl-dry-run-", ".lines");
        } catch (IOException e) {
            throw TenantctlException.config("cannot spool the dry run's lines in the temporary directory " + System.getProperty("java.io.tmpdir")
                    + " (" + e.getMessage() + "): make it writable, or point tenantctl elsewhere with JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR", e);
        }
        file.toFile().deleteOnExit();
        out = Files.newBufferedWriter(file);
        for (RunReport.Org o : held) {
            write(o);
        }
        held = null;
    }

    private TenantctlException cannotSpool(IOException e) {
        return TenantctlException.config("cannot spool the dry run's lines in " + file + " (" + e.getMessage() + "): free space there, "
                + "or point tenantctl elsewhere with JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR", e);
    }

    /**
     * The dry run of {@code verb} these lines are: its report (their counts, no line), the lines handed over in their order
     * ({@link #lines}), and whether Ctrl-C stopped it. Once all are taken.
     */
    public RunEngine.Planned planned(String verb, boolean interrupted) {
        return new RunEngine.Planned(RunReport.planned(verb, counts), lines(), interrupted);
    }

    /** The lines taken, handed over in their order: those held, or those written, read back one at a time each time asked. */
    ReportLines lines() {
        if (file == null) {
            List<RunReport.Org> lines = List.copyOf(held);
            return new ReportLines(lines::forEach, () -> RunReport.ByPool.of(lines::forEach, Map.of()), outcome -> timingsOf(lines::forEach, outcome), true);
        }
        try {
            out.close();
        } catch (IOException e) {
            throw cannotSpool(e);
        }
        Path spool = file;
        Consumer<Consumer<RunReport.Org>> all = each -> read(spool, each);
        return new ReportLines(all, () -> RunReport.ByPool.of(all, Map.of()), outcome -> timingsOf(all, outcome), false);
    }

    private static Timings timingsOf(Consumer<Consumer<RunReport.Org>> all, String outcome) {
        List<Long> ms = new ArrayList<>();
        all.accept(o -> {
            if (o.outcome().equals(outcome)) {
                ms.add(o.ms());
            }
        });
        return Timings.of(ms);
    }

    private static void read(Path spool, Consumer<RunReport.Org> each) {
        try (BufferedReader r = Files.newBufferedReader(spool)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                JsonNode a = JSON.readTree(line);
                java.util.Set<RunReport.Mark> marks = java.util.EnumSet.noneOf(RunReport.Mark.class);
                a.get(7).forEach(m -> marks.add(RunReport.Mark.valueOf(m.asText())));
                each.accept(new RunReport.Org(text(a.get(0)), text(a.get(1)), text(a.get(2)), a.get(3).asInt(), a.get(4).asLong(),
                        text(a.get(5)), text(a.get(6)), java.util.Collections.unmodifiableSet(marks)));
            }
        } catch (IOException e) {
            throw TenantctlException.config("cannot read the dry run's lines back from " + spool + " (" + e.getMessage() + "): "
                    + "leave the temporary directory's files while tenantctl runs, or point it elsewhere with JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR", e);
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
