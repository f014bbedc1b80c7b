package io.tenantctl.cli;

import io.tenantctl.TenantctlException;
import io.tenantctl.cli.render.Output;
import io.tenantctl.ops.Verify;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;

@Command(name = "ack", description = "Silence one finding until a date (it is still listed, as acked, and no longer makes verify exit 4).")
final class VerifyAckCommand implements Callable<Integer> {

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "FINDING", description = "The finding's id, as verify lists it.")
    String findingId;

    @Option(names = "--until", required = true, paramLabel = "DATE", description = "A date (2026-12-31: its 00:00 UTC, so the ack ends as that day begins), an instant (2026-12-31T12:00:00Z) or a duration from now (7d).")
    String until;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why it may be ignored until then (kept with the finding).")
    String reason;

    @picocli.CommandLine.Mixin
    DryRunOption dryRun;

    VerifyAckCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        Instant at = dateOrInstant(until);
        java.time.Duration fromNow = at == null ? duration(until) : null; // refused here, before the catalog, as a usage error
        if (at != null) {
            latest(at, until);
        }
        Verify verify = new Verify(ctx.ops()); // a duration runs from the catalog's now: its clock is the one acks end by
        Verify.Finding f = at != null ? verify.ack(findingId, at, reason, dryRun.on) : verify.ack(findingId, fromNow, reason, dryRun.on);
        if (ctx.json()) {
            java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("dry_run", dryRun.on); // the finding as the ack leaves it: a dry run's is what it would be
            doc.putAll(Output.JSON.convertValue(f, java.util.Map.class));
            Output.json(ctx.out, doc);
        } else {
            ctx.out.println((dryRun.on ? "dry run: " : "") + "finding " + f.findingId() + " (" + f.kind() + (f.orgId() == null ? ""
                    : ", org " + f.orgId()) + ") " + (dryRun.on ? "would be acked" : "acked") + " until " + f.ackedUntil() + ": " + f.ackReason());
        }
        return 0;
    }

    /** The --until instant; past year 9999 is refused (the catalog cannot store every such time). */
    private static void latest(Instant until, String value) {
        if (until.isAfter(LATEST)) {
            throw TenantctlException.usage("--until '" + value + "' is too far ahead: at most 9999-12-31");
        }
    }

    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** --until as a date (its 00:00 UTC) or an instant; null when it is neither (a duration). */
    private static Instant dateOrInstant(String value) {
        // a year past 9999 without the sign ISO wants there (10000-01-01) is that year, too far ahead as any other
        String iso = value.matches("\\d{5,}-.*") ? "+" + value : value;
        try {
            return LocalDate.parse(iso).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notADate) {
            try {
                return Instant.parse(iso);
            } catch (DateTimeParseException notAnInstant) {
                return null;
            }
        }
    }

    private static java.time.Duration duration(String value) {
        try {
            return new DurationConverter().convert(value);
        } catch (DurationConverter.NoUnit noUnit) {
            throw TenantctlException.usage("--until " + noUnit.getMessage().replaceFirst("\\)$", ", or a date: 2026-12-31)"));
        } catch (picocli.CommandLine.TypeConversionException notADuration) {
            throw TenantctlException.usage("--until: " + notADuration.getMessage().replace("a duration: write",
                    "a date (2026-12-31), an instant or a duration: write"));
        }
    }
}
