package io.tenantctl.cli;

import picocli.CommandLine;

/**
 * A run id as typed (runs show, runs cancel, --join, --resume): surrounding whitespace, as a paste from a log line or
 * a table brings along, is not part of it (' RUN' was "no run ' RUN'"); what is left is looked up as it is.
 */
final class RunIdConverter implements CommandLine.ITypeConverter<String> {

    @Override
    public String convert(String value) {
        return value.strip();
    }
}
