package io.tenantctl.ops;

import io.tenantctl.TenantctlException;
import io.tenantctl.catalog.OrgId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A list file as the cli read it ({@code provision --file}'s org ids, {@code orgs adopt --file}'s 'ORG [DATABASE]'
 * lines): its entries, each with its line number, and its bad lines refused together (exit 2, nothing done), each
 * named with its line and what is wrong — the first {@link #SHOWN} and how many more — so one edit mends them all.
 */
public final class ListFile {

    /** The bad lines a refusal names; the rest are counted. */
    static final int SHOWN = 20;

    private ListFile() {
    }

    /** One entry: its line number (from 1), and the line with any '#' comment cut off and surrounding whitespace stripped. */
    record Line(int number, String text) {
    }

    /**
     * {@code text}'s entries, blank ones left out. Control characters are not whitespace: a line holding one is kept as
     * written, so the id check refuses it instead of a guess at what was meant.
     */
    static List<Line> lines(String text) {
        List<Line> out = new ArrayList<>();
        List<String> all = text.lines().toList();
        for (int i = 0; i < all.size(); i++) {
            int hash = all.get(i).indexOf('#');
            String entry = (hash >= 0 ? all.get(i).substring(0, hash) : all.get(i)).strip();
            if (!entry.isEmpty()) {
                out.add(new Line(i + 1, entry));
            }
        }
        return out;
    }

    /**
     * {@code provision --file}'s org ids ({@code source}: "org file F"), in file order; refused (exit 2) naming every bad
     * line: an invalid id, or one whose database another line's id names too ('-' and '_' are the same there). An id
     * listed twice is one org.
     */
    public static List<String> orgIds(String text, String source) {
        Problems problems = new Problems(source);
        Map<String, Line> byDatabase = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (Line line : lines(text)) {
            String p = OrgId.problem(line.text());
            Line other = p == null ? byDatabase.putIfAbsent(OrgId.databaseName(line.text()), line) : null;
            if (other != null && !other.text().equals(line.text())) {
                p = "org ids '" + other.text() + "' (line " + other.number() + ") and '" + line.text() + "' both map to database "
                        + OrgId.databaseName(line.text()) + " ('-' and '_' are the same in database names)";
            }
            problems.add(line, p);
            out.add(line.text());
        }
        problems.refuse("nothing written");
        return out;
    }

    /** A file's bad lines, gathered to be refused together. */
    static final class Problems {

        private final String source;
        private final List<String> shown = new ArrayList<>();
        private int count;

        Problems(String source) {
            this.source = source;
        }

        /** {@code problem}: what is wrong with {@code line}, or null when nothing is. */
        void add(Line line, String problem) {
            if (problem != null && count++ <= SHOWN) { // one more than SHOWN kept: named, when it is the last
                shown.add("line " + line.number() + ": " + problem);
            }
        }

        /** Refuses the file (exit 2) when a line is bad: "SOURCE: N bad lines, NOTHING: line 2: …; line 5: …; and M more". */
        void refuse(String nothing) {
            if (count > 0) {
                throw TenantctlException.usage(source + ": " + io.tenantctl.Counted.of(count, "bad line") + ", " + nothing + ": "
                        + io.tenantctl.Counted.firstOf(shown, count, SHOWN, "; ", ""));
            }
        }
    }
}
