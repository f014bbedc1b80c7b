package io.tenantctl.cli;

import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Progress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Progress for people and for pipelines: a bar on stderr when it is a terminal; otherwise one line on stderr
 * every 10 seconds while work runs (nothing with -q). Never writes to stdout.
 */
final class ProgressReporter implements Progress {

    private static final long LINE_EVERY_SECONDS = 10;

    private final CliContext ctx;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile int total;
    private volatile String what;
    private ProgressBar bar;
    private ScheduledExecutorService ticker;
    /** The count the last progress line gave, or -1 before the first: a line left behind must not be stale at the end. */
    private int linePrinted = -1;

    private ProgressReporter(CliContext ctx) {
        this.ctx = ctx;
    }

    static Progress of(CliContext ctx) {
        return ctx.quiet() ? Progress.NONE : new ProgressReporter(ctx);
    }

    @Override
    public void begin(String what, int total) {
        this.what = what;
        this.total = total;
        if (total == 0) {
            return;
        }
        if (ctx.interactive()) {
            PrintStream terminal = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
            bar = new ProgressBarBuilder().setTaskName(what).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(terminal)).setUpdateIntervalMillis(200).build();
        } else {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::line, LINE_EVERY_SECONDS, LINE_EVERY_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** One progress line (the ticker's, every 10 s), remembered as printed so the run's end can bring it up to date. */
    synchronized void line() {
        linePrinted = done.get();
        String line = what + ": " + done.get() + "/" + total + " orgs done, " + failed.get() + " failed";
        ctx.log("info", line, Output.ordered("done", done.get(), "total", total, "failed", failed.get()), line);
    }

    @Override
    public void advance(String orgId, boolean ok) {
        done.incrementAndGet();
        if (!ok) {
            failed.incrementAndGet();
        }
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(failed.get() > 0 ? failed.get() + " failed" : "");
        }
    }

    @Override
    public void end() {
        if (bar != null) {
            bar.close();
        }
        if (ticker != null) {
            ticker.shutdownNow();
            synchronized (this) { // after a tick in flight: the last line is the final count (none when no line was printed)
                if (linePrinted >= 0 && linePrinted != done.get()) {
                    line();
                }
            }
            ticker = null;
        }
    }
}
