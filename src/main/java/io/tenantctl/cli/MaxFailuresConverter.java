package io.tenantctl.cli;

import io.tenantctl.ops.run.MaxFailures;
import picocli.CommandLine;

/** --max-failures N or P%: parsed here, so a bad value is a usage error before anything is selected or written. */
final class MaxFailuresConverter implements CommandLine.ITypeConverter<MaxFailures> {

    @Override
    public MaxFailures convert(String spec) {
        try {
            if (spec.endsWith("%")) {
                double pct = Double.parseDouble(spec.substring(0, spec.length() - 1));
                if (pct >= 0 && pct <= 100) {
                    return MaxFailures.percent(pct);
                }
            } else {
                int n = Integer.parseInt(spec);
                if (n >= 0) {
                    return MaxFailures.count(n);
                }
            }
        } catch (NumberFormatException ignored) {
            // the message below says what is wanted
        }
        throw new CommandLine.TypeConversionException("--max-failures must be a count (5) or a percentage from 0% to 100% (2%), not '" + spec + "'");
    }
}
