package io.tenantctl;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * A file-system failure in words. Java's own messages are not: an AccessDeniedException's is only the path it was
 * denied, and its toString (what "…: " + e prints) starts with the class name.
 */
public final class IoErrors {

    private IoErrors() {
    }

    /**
     * Why a file name with a non-ASCII character cannot be used here, and what to do: this JVM's file-name encoding
     * (sun.jnu.encoding, the locale's: ASCII under a C or POSIX locale, cron's default) has no bytes for it.
     */
    public static String fileNamesNotUtf8() {
        return "this JVM's file-name encoding is " + System.getProperty("sun.jnu.encoding", "not UTF-8")
                + " (the locale is not UTF-8); run tenantctl under a UTF-8 locale (e.g. LANG=C.UTF-8)";
    }

    /**
     * "permission denied on PATH", "no such file or directory: PATH", "REASON (PATH)", "it is not UTF-8 text" for a file
     * read as UTF-8 that is not, or the message otherwise.
     */
    public static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        if (e instanceof java.nio.charset.CharacterCodingException) { // "Input length = 1": read as UTF-8, saved as UTF-16 or Latin-1
            return "it is not UTF-8 text; save it as UTF-8";
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied on " + a.getFile();
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return "already exists: " + f.getFile();
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException d) {
            return "directory not empty: " + d.getFile();
        }
        if (e instanceof java.nio.file.NotDirectoryException d) {
            return "not a directory: " + d.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + " (" + f.getFile() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
