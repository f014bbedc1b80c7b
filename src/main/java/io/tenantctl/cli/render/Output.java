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

    public static void json(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /** A borderless table: upper-case headers, columns padded to their widest cell. */
    public static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers.stream().map(String::toUpperCase).toList());
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], cell(row.get(i)).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String c = cell(row.get(i));
                sb.append(c);
                if (i < row.size() - 1) {
                    sb.append(" ".repeat(widths[i] - c.length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
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
        return s == null ? "-" : s;
    }
}
