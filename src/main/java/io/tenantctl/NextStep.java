package io.tenantctl;

/**
 * What moves something on, made once where it is decided: {@code command}, one command that runs as it is pasted
 * ({@code tenantctl …}, no placeholder, no alternative), or null when the way on needs a choice or a hand first; and
 * {@code note}, what it does, what to do first or instead, or null. {@code text} is the one line people read ("next:"):
 * the command and its note together, as it has always been worded. -o json gives {@code next_step} and {@code next_note}.
 */
public record NextStep(String command, String note, String text) {

    /** A bare command. */
    public static NextStep run(String command) {
        return command == null ? null : new NextStep(command, null, command);
    }

    /** A command and, after it in parentheses on the text line, its note. */
    public static NextStep run(String command, String note) {
        return new NextStep(command, note, command + "   (" + note + ")");
    }

    /** {@code command}, then {@code after}: the text "COMMAND, then: AFTER", the note "then: AFTER". */
    public static NextStep then(String command, String after) {
        return new NextStep(command, "then: " + after, command + ", then: " + after);
    }

    /** No command to run as it is (a value to choose, something to mend first): the whole way on is the note. */
    public static NextStep note(String note) {
        return new NextStep(null, note, note);
    }

    /** {@code word} as one word for a shell: as it is when it needs no quoting (letters of any script too), else single-quoted. */
    public static String shellWord(String word) {
        return word.matches("[\\p{L}\\p{N}_./:@%+=,-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /** A result that carries its next step ({@link #next}): -o json shows it as {@code next_step} and {@code next_note}. */
    public interface Shown {
        @com.fasterxml.jackson.annotation.JsonIgnore
        NextStep next();

        /** The command alone (-o json's next_step), or null. */
        @com.fasterxml.jackson.annotation.JsonProperty("next_step")
        default String nextStep() {
            return next() == null ? null : next().command();
        }

        /** What the command does, what comes after it or instead of it (-o json's next_note), or null. */
        @com.fasterxml.jackson.annotation.JsonProperty("next_note")
        default String nextNote() {
            return next() == null ? null : next().note();
        }
    }
}
