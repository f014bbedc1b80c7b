package io.tenantctl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tenantctl.cli.render.Output;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * stderr as tenantctl writes it. With {@code --log-format text} lines pass through unchanged; with {@code json} every
 * line becomes one JSON object, {@code {"ts", "level", "msg", …context}}: the level read from the line's lead word
 * ({@code error:}, {@code warning:}, {@code failed:} …, else info), the context what the command knows (verb, run id).
 * Blank lines are dropped. Lines that callers log with fields ({@link #log}) are written as one object directly.
 * Whatever writes to stderr — a command, picocli, a signal handler, a library's logger — therefore cannot break a
 * line-per-object reader.
 */
final class LogLines extends Writer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> LEVELS = Map.of("error", "error", "failed", "error", "warning", "warn",
            "aborted", "warn", "interrupted", "warn", "note", "info");

    /** A line of slf4j-simple, the libraries' logger: {@code [thread] LEVEL logger - message}. */
    private static final java.util.regex.Pattern SIMPLE_LOGGER =
            java.util.regex.Pattern.compile("^\\[([^\\]]*)\\] (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$");

    private final Writer raw;
    private final BooleanSupplier json;
    private final Supplier<Map<String, Object>> context;
    private final Clock clock;
    private final StringBuilder line = new StringBuilder();

    LogLines(Writer raw, BooleanSupplier json, Supplier<Map<String, Object>> context, Clock clock) {
        this.raw = raw;
        this.json = json;
        this.context = context;
        this.clock = clock;
    }

    @Override
    public synchronized void write(char[] cbuf, int off, int len) throws IOException {
        if (!json.getAsBoolean()) {
            if (line.length() > 0) {
                raw.write(line.toString());
                line.setLength(0);
            }
            raw.write(cbuf, off, len);
            return;
        }
        for (int i = off; i < off + len; i++) {
            char c = cbuf[i];
            if (c == '\n') {
                emitLine();
            } else if (c != '\r') {
                line.append(c);
            }
        }
    }

    private void emitLine() throws IOException {
        String text = line.toString();
        line.setLength(0);
        if (text.isBlank()) {
            return;
        }
        java.util.regex.Matcher slf4j = SIMPLE_LOGGER.matcher(text);
        if (slf4j.matches()) {
            String level = slf4j.group(2).toLowerCase(Locale.ROOT);
            writeObject(level.equals("trace") ? "debug" : level, slf4j.group(4), Output.ordered("thread", slf4j.group(1), "logger", slf4j.group(3)));
            return;
        }
        String level = "info";
        String msg = text.strip();
        int colon = msg.indexOf(": ");
        if (colon > 0) {
            String word = LEVELS.get(msg.substring(0, colon).toLowerCase(Locale.ROOT));
            if (word != null) {
                level = word;
                String lead = msg.substring(0, colon).toLowerCase(Locale.ROOT);
                if (lead.equals("error") || lead.equals("warning") || lead.equals("note")) {
                    msg = msg.substring(colon + 2);
                }
            }
        }
        writeObject(level, msg, Map.of());
    }

    /** One log line with fields: JSON as one object; text as {@code text} (already the human form), unchanged. */
    synchronized void log(String level, String msg, Map<String, Object> fields, String text) throws IOException {
        if (json.getAsBoolean()) {
            writeObject(level, msg, fields);
        } else {
            raw.write(text);
            raw.write(System.lineSeparator());
        }
        raw.flush();
    }

    private void writeObject(String level, String msg, Map<String, Object> fields) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("ts", clock.instant().toString());
        o.put("level", level);
        o.put("msg", msg);
        context.get().forEach(o::putIfAbsent);
        fields.forEach((k, v) -> {
            if (v != null) {
                o.put(k, v);
            }
        });
        try {
            raw.write(JSON.writeValueAsString(o));
        } catch (JsonProcessingException e) {
            raw.write("{\"level\":\"error\",\"msg\":\"unencodable log line\"}");
        }
        raw.write('\n');
    }

    @Override
    public synchronized void flush() throws IOException {
        raw.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        if (line.length() > 0) {
            emitLine();
        }
        raw.flush();
    }

    /**
     * The process's own stderr (for {@code main}), where libraries' loggers and the signal handler print: each line masked
     * as tenantctl's own are (the MongoDB driver logs a client's settings at -v, a proxy password among them), and in JSON
     * lines for {@code --log-format json}.
     */
    static OutputStream processStream(OutputStream raw, boolean json) {
        Writer target = new java.io.OutputStreamWriter(raw, StandardCharsets.UTF_8);
        Writer lines = json ? new LogLines(target, () -> true, Map::of, Clock.systemUTC()) : target;
        return new OutputStream() {
            private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) throws IOException {
                buf.write(b);
                if (b == '\n' || buf.size() > 1 << 16) { // a whole line is masked at once: a URL is never split
                    lines.write(Mask.secrets(buf.toString(StandardCharsets.UTF_8)));
                    buf.reset();
                    lines.flush();
                }
            }

            @Override
            public synchronized void flush() throws IOException {
                lines.flush();
            }
        };
    }
}
