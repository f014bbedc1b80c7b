package io.tenantctl.backup;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8SinkTest {

    @Test
    void encodesCharsExactlyAsTheJdkDoesAcrossBufferBoundaries() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            StringBuilder text = new StringBuilder();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int size = 4 + random.nextInt(round % 2 == 0 ? 16 : 2000); // odd rounds: the buffer grows before it drains
            Utf8Sink sink = new Utf8Sink(large -> out, 4 + random.nextInt(size - 3), size);
            for (int piece = 0; piece < 20; piece++) {
                if (random.nextInt(4) == 0) { // raw bytes in between, as the fast encoder writes them
                    flushTo(expected, text);
                    byte[] bytes = new byte[random.nextInt(40)];
                    random.nextBytes(bytes);
                    sink.writeBytes(bytes, 0, bytes.length);
                    expected.write(bytes);
                    continue;
                }
                String s = randomChars(random);
                text.append(s);
                switch (random.nextInt(3)) {
                    case 0 -> sink.write(s);
                    case 1 -> sink.write(s.toCharArray(), 0, s.length());
                    default -> s.chars().forEach(c -> write(sink, c));
                }
            }
            flushTo(expected, text);
            sink.close();
            assertThat(out.toByteArray()).as("round %d", round).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void opensItsStreamAsLargeOnlyWhenMoreThanOneBufferIsWritten() throws IOException {
        List<Boolean> opened = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Utf8Sink small = new Utf8Sink(large -> {
            opened.add(large);
            return out;
        }, 8, 64); // starts at 8 bytes and grows: the limit, not the buffer's first size, decides
        small.write("x".repeat(64)); // exactly one buffer: still small
        small.close();
        Utf8Sink big = new Utf8Sink(large -> {
            opened.add(large);
            return out;
        }, 8, 64);
        for (int i = 0; i < 65; i++) {
            big.write('y');
        }
        big.close();
        Utf8Sink bytes = new Utf8Sink(large -> {
            opened.add(large);
            return out;
        }, 8, 64);
        bytes.writeBytes("z".repeat(40).getBytes(StandardCharsets.US_ASCII), 0, 40);
        bytes.writeBytes("z".repeat(25).getBytes(StandardCharsets.US_ASCII), 0, 25);
        bytes.close();
        assertThat(opened).containsExactly(false, true, true);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("x".repeat(64) + "y".repeat(65) + "z".repeat(65));
    }

    /** Mostly ASCII, some 2- and 3-byte chars, surrogate pairs, and lone surrogates (which the JDK writes as '?'). */
    private static String randomChars(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(30); i > 0; i--) {
            switch (r.nextInt(10)) {
                case 0 -> sb.append((char) (0x80 + r.nextInt(0x780)));
                case 1 -> sb.append((char) (0x800 + r.nextInt(0xd000)));
                case 2 -> sb.appendCodePoint(0x10000 + r.nextInt(0xfffff));
                case 3 -> sb.append((char) (0xd800 + r.nextInt(0x800)));
                default -> sb.append((char) r.nextInt(0x80));
            }
        }
        return sb.toString();
    }

    private static void flushTo(ByteArrayOutputStream expected, StringBuilder text) {
        expected.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
        text.setLength(0);
    }

    private static void write(Utf8Sink sink, int c) {
        try {
            sink.write(c);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
