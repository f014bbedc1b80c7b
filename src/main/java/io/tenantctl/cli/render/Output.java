package io.tenantctl.cli.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The one JSON mapper (snake_case, ISO-8601 times) and the one table renderer every command uses.
 * With {@code -o json} stdout carries exactly one JSON document.
 */
public final class Output {

    public static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Output() {
    }

    /**
     * A map of {@code keysAndValues} (key, value, key, value…) that keeps their order, for a JSON object or log fields
     * built in place: {@code Map.of} orders its keys differently from one JVM to the next, so the same output would not
     * read (or diff) the same twice.
     */
    public static java.util.Map<String, Object> ordered(Object... keysAndValues) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    public static void json(PrintWriter out, Object value) {
        try { // written as it is serialised, never held whole as one String (runs show of 50,000 orgs is megabytes)
            JSON.writer().without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out, value);
            out.println();
            out.flush();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /**
     * As {@link #json}, for a document part of which is read as it is written (a fleet's verify findings, from the catalog):
     * spooled to a temporary file and copied to {@code out} only once whole, so that a failure half-way prints no half
     * document before the error's own, and said as what it is (the catalog lost), not as a failure to render.
     */
    public static void jsonSpooled(PrintWriter out, Object value) {
        spooled("the JSON document", ".json", spool -> {
            try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(spool)) {
                whole(w, value);
            }
            try (java.io.Reader r = java.nio.file.Files.newBufferedReader(spool)) {
                r.transferTo(out);
            }
            out.println();
            out.flush();
        });
    }

    /**
     * As {@link #jsonSpooled}, for a document small enough to hold (a run's report of a page of orgs or fewer): built whole
     * in memory, then printed, so that a failure half-way (the catalog lost as a failed org's next step is read) prints no
     * half document before the error's own, and is said as what it is, not as a failure to render.
     */
    public static void jsonInMemory(PrintWriter out, Object value) {
        java.io.StringWriter doc = new java.io.StringWriter();
        try {
            whole(doc, value);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
        out.println(doc);
        out.flush();
    }

    /** {@code value} written to {@code w}; a failure while a part of it was read thrown as itself (the catalog lost), not as the JSON's. */
    private static void whole(java.io.Writer w, Object value) throws java.io.IOException {
        try {
            JSON.writer().without(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(w, value);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
                if (t instanceof RuntimeException r && !(t instanceof java.io.UncheckedIOException)) {
                    throw r; // what failed while a part was read, not the JSON
                }
            }
            throw e;
        }
    }

    /**
     * Text {@code body} writes, spooled to a temporary file and copied to {@code out} only once whole, for a listing read
     * as it is written (a fleet's verify findings, from the catalog): a failure half-way prints no part of it, which would
     * read as the whole list, before the error's own line.
     */
    public static void textSpooled(PrintWriter out, java.util.function.Consumer<PrintWriter> body) {
        spooled("the output", ".txt", spool -> {
            try (PrintWriter w = new PrintWriter(java.nio.file.Files.newBufferedWriter(spool))) {
                body.accept(w);
                if (w.checkError()) { // a PrintWriter keeps its IOException to itself
                    throw new java.io.IOException("could not write it");
                }
            }
            try (java.io.Reader r = java.nio.file.Files.newBufferedReader(spool)) {
                r.transferTo(out);
            }
            out.flush();
        });
    }

    /**
     * One JSON document {@code {field: [items…]}}, each item serialised as {@code items} hands it over, spooled to a
     * temporary file and copied to {@code out} only once whole: memory does not grow with the number of items, and a
     * failure half-way (the store gone on the 30,000th org) prints no half document before the error's own.
     */
    public static <T> void jsonList(PrintWriter out, String field, java.util.function.Consumer<java.util.function.Consumer<T>> items) {
        spooled("the JSON document", ".json", spool -> {
            try (java.io.Writer w = java.nio.file.Files.newBufferedWriter(spool);
                 com.fasterxml.jackson.core.JsonGenerator g = JSON.createGenerator(w)) {
                g.writeStartObject();
                g.writeArrayFieldStart(field);
                items.accept(item -> {
                    try {
                        JSON.writeValue(g, item);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                g.writeEndArray();
                g.writeEndObject();
            }
            try (java.io.Reader r = java.nio.file.Files.newBufferedReader(spool)) {
                r.transferTo(out);
            }
            out.println();
            out.flush();
        });
    }

    /** Lines spooled to a temporary file as they are added, read back in order as often as asked: none held in memory. */
    public interface SpooledLines {
        void add(String line);

        void forEach(java.util.function.Consumer<String> each);
    }

    /**
     * Runs {@code work} with {@link SpooledLines} on a temporary file, deleted after: for a command whose output lists what
     * its work did as it did it (a fleet's cancel giving 50,000 places back), written once the work is done. {@code line}s
     * hold no line break (org ids).
     */
    public static void withSpooledLines(java.util.function.Consumer<SpooledLines> work) {
        spooled("the output", ".txt", spool -> {
            try (java.io.BufferedWriter w = java.nio.file.Files.newBufferedWriter(spool)) {
                work.accept(new SpooledLines() {
                    @Override
                    public void add(String line) {
                        try {
                            w.write(line);
                            w.newLine();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }

                    @Override
                    public void forEach(java.util.function.Consumer<String> each) {
                        try {
                            w.flush();
                            try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(spool)) {
                                r.lines().forEach(each);
                            }
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
            }
        });
    }

    /** A borderless table: upper-case headers, columns padded to their widest cell. */
    public static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers.stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList()); // TIER, not a Turkish TİER
        all.addAll(rows);
        for (List<String> row : all) {
            widen(widths, row);
        }
        for (List<String> row : all) {
            out.println(line(row, widths));
        }
        out.flush();
    }

    /**
     * As {@link #table}, for a listing that grows with the fleet: each row, as {@code rows} hands it over, is spooled to a
     * temporary file (one JSON array a line) while the column widths are measured, then printed from there, so memory does
     * not grow with the number of rows; and a failure half-way prints no half table before the error's own.
     */
    public static void spooledTable(PrintWriter out, List<String> headers,
                                    java.util.function.Consumer<java.util.function.Consumer<List<String>>> rows) {
        spooled("the table", ".rows", spool -> {
            List<String> header = headers.stream().map(h -> h.toUpperCase(java.util.Locale.ROOT)).toList();
            int[] widths = new int[headers.size()];
            widen(widths, header);
            com.fasterxml.jackson.databind.ObjectWriter oneLine = JSON.writer().without(SerializationFeature.INDENT_OUTPUT);
            try (java.io.BufferedWriter w = java.nio.file.Files.newBufferedWriter(spool)) {
                rows.accept(row -> {
                    widen(widths, row);
                    try {
                        w.write(oneLine.writeValueAsString(row)); // one line: a cell's newline is escaped
                        w.newLine();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
            out.println(line(header, widths));
            com.fasterxml.jackson.databind.JavaType rowType = JSON.getTypeFactory().constructCollectionType(List.class, String.class);
            try (java.io.BufferedReader r = java.nio.file.Files.newBufferedReader(spool)) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    out.println(line(JSON.readValue(l, rowType), widths));
                }
            }
            out.flush();
        });
    }

    private interface SpoolWork {
        void run(java.nio.file.Path spool) throws java.io.IOException;
    }

    /** Runs {@code work} on a temporary file, deleted after; a temporary directory that cannot hold it is a config error. */
    private static void spooled(String what, String suffix, SpoolWork work) {
        java.nio.file.Path spool;
        try {
            spool = java.nio.file.Files.createTempFile("tenantctl-", suffix);
        } catch (java.io.IOException e) {
            throw io.tenantctl.TenantctlException.config("cannot spool " + what + " in the temporary directory "
                    + System.getProperty("java.io.tmpdir") + " (" + e.getMessage() + "): make it writable, or point tenantctl elsewhere "
                    + "with JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR", e);
        }
        try {
            work.run(spool);
        } catch (java.io.IOException | java.io.UncheckedIOException e) { // the temporary directory filled up, most likely
            throw io.tenantctl.TenantctlException.config("cannot spool " + what + " in " + spool + " (" + e.getMessage() + "): "
                    + "free space there, or point tenantctl elsewhere with JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR", e);
        } finally {
            try {
                java.nio.file.Files.deleteIfExists(spool);
            } catch (java.io.IOException ignored) {
                // left in the temp directory; nothing else to do
            }
        }
    }

    private static void widen(int[] widths, List<String> row) {
        for (int i = 0; i < row.size(); i++) {
            widths[i] = Math.max(widths[i], cell(row.get(i)).length());
        }
    }

    private static String line(List<String> row, int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
            String c = cell(row.get(i));
            sb.append(c);
            if (i < row.size() - 1) {
                sb.append(" ".repeat(widths[i] - c.length() + 2));
            }
        }
        return sb.toString().stripTrailing();
    }

    /** key: value lines, for single objects. */
    public static void fields(PrintWriter out, List<String[]> pairs) {
        int w = pairs.stream().mapToInt(p -> p[0].length()).max().orElse(0);
        for (String[] p : pairs) {
            out.println(p[0] + ":" + " ".repeat(w - p[0].length() + 1) + cell(p[1]));
        }
        out.flush();
    }

    private static String cell(String s) {
        return s == null ? "-" : printable(s);
    }

    /**
     * {@code s} with its control characters escaped ({@code \n}, {@code \r}, {@code \t}, else {@code \}{@code uXXXX}): a name
     * from a pool (MongoDB takes a collection named with a newline or an escape sequence) must neither split a line of text
     * output nor reach the terminal as a control sequence. {@code -o json} carries it exactly.
     */
    public static String printable(String s) {
        if (s.chars().noneMatch(Output::control)) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        s.chars().forEach(c -> sb.append(!control(c) ? String.valueOf((char) c) : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                : c == '\t' ? "\\t" : String.format("\\u%04x", c)));
        return sb.toString();
    }

    private static boolean control(int c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
    }
}
