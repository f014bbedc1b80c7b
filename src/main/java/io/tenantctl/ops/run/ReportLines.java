package io.tenantctl.ops.run;

import io.tenantctl.catalog.Catalog;
import io.tenantctl.catalog.ItemStatus;
import io.tenantctl.fanout.Timings;

import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A run's orgs' lines, each as its verb shows it, handed over one at a time in the run's order (by org id): a dry run's as
 * it planned them ({@link PlannedLines}: held in memory up to a page, else spooled), or, for a run's report without lines
 * ({@link RunReport#summary}), read back from the run's items {@link #PAGE} at a time as they are handed over
 * ({@link #read}), so that a fleet's are never held at once.
 * {@code byPool}: the run's figures by pool for the metrics file, worked out when asked; {@code timingsOf}: the times of
 * the orgs of one outcome (each without a time as 0 ms), e.g. the catalog-pressure warning's median of those migrated.
 */
public record ReportLines(Consumer<Consumer<RunReport.Org>> all, Supplier<RunReport.ByPool> byPool,
                          java.util.function.Function<String, Timings> timingsOf, boolean held) {

    /** How many of a run's items are read at a time. */
    public static final int PAGE = 1000;

    /**
     * The lines of {@code report}'s run read from its items in {@code catalog} a page at a time (each page on a connection
     * given back before it is handed over), named by {@code names}, each rewritten by the verb's {@code line}.
     */
    public static ReportLines read(Catalog catalog, RunReport report, OutcomeNames names, UnaryOperator<RunReport.Org> line) {
        return readPages(catalog, report, names, page -> page.stream().map(line).toList());
    }

    /** As {@link #read}, each page of lines rewritten at once by the verb's {@code page} (e.g. with what one query reads of its orgs). */
    public static ReportLines readPages(Catalog catalog, RunReport report, OutcomeNames names,
                                        java.util.function.Function<java.util.List<RunReport.Org>, java.util.List<RunReport.Org>> page) {
        return new ReportLines(each -> catalog.runs().forEachItemPage(report.runId(), PAGE, items -> page.apply(items.stream()
                .map(i -> RunEngine.line(i, names)).toList()).forEach(each)), () -> RunEngine.byPool(catalog, report.runId(), names), outcome -> {
                    if (!outcome.equals(names.success())) {
                        throw new IllegalArgumentException("the times of the " + outcome + " orgs: only those " + names.success() + " are worked out");
                    }
                    long[] t = catalog.runs().millisOf(report.runId(), ItemStatus.SUCCEEDED.db());
                    return new Timings(t[0], t[1], t[2], (int) t[3], t[4]);
                }, false);
    }

    /**
     * These lines held in memory when the run has at most {@code most} orgs ({@code total}), read once: its output then needs
     * no temporary file to be printed once whole; a larger run's are left to be read a page at a time.
     */
    public ReportLines heldUpTo(int most, int total) {
        if (held || total > most) {
            return this;
        }
        java.util.List<RunReport.Org> lines = new java.util.ArrayList<>();
        forEach(lines::add);
        return new ReportLines(lines::forEach, byPool, timingsOf, true);
    }

    /** Hands over each org's line. */
    public void forEach(Consumer<RunReport.Org> each) {
        all.accept(each);
    }

    /** The failed orgs' lines, handed over one at a time. */
    public Consumer<Consumer<RunReport.Org>> failed() {
        return each -> forEach(o -> {
            if (o.outcome().equals("failed")) {
                each.accept(o);
            }
        });
    }

    /** The first org's line (a run of one org: its only one), or null for a run of none. */
    public RunReport.Org first() {
        RunReport.Org[] first = {null};
        forEach(o -> first[0] = first[0] == null ? o : first[0]);
        return first[0];
    }
}
