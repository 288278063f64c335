package org.mera.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of a valid file, as a damaged download, a hand edit or a careless script would make them: bit
 * flips, bytes of structure (<code>" { ] , :</code>, TAB, NEWLINE), invalid UTF-8, cut or doubled ranges, truncation, and
 * scalar values (a number, a string, a boolean) swapped for a value of another type or out of range. Each mutation
 * describes itself, so a failing case names exactly what was done.
 */
final class Mutator {
    private static final byte[] STRUCTURE = bytes("\"{}[],:\t\n\r0-e.#&*!|>' \\");
    private static final byte[] ODD = {0, (byte) 0xFF, (byte) 0xC3, (byte) 0x80, (byte) 0xED, 0x7F};
    /** Values swapped in for a scalar: other types, out-of-range numbers, YAML specials. */
    static final List<String> VALUES = List.of(
            "NaN",
            ".nan",
            "-.inf",
            "1e309",
            "-1",
            "0",
            "-0.0",
            "2147483648",
            "99999999999999999999999",
            "1.5",
            "null",
            "~",
            "true",
            "[]",
            "{}",
            "\"\"",
            "\"x\"",
            "[1, 2]",
            "{\"a\": 1}",
            "\"\\u0000\"",
            "\"NaN\"",
            "\"-5\"",
            "&a 1",
            "*a",
            "!!binary AAAA");

    private static final Pattern SCALAR = Pattern.compile(
            "\"(?:[^\"\\\\\\n]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|\\btrue\\b|\\bfalse\\b|\\bnull\\b");

    private final Random rng;
    private final List<String> done = new ArrayList<>();

    Mutator(long seed) {
        this.rng = new Random(seed);
    }

    Random random() {
        return rng;
    }

    /** What the last {@link #mutate} call did. */
    String description() {
        return String.join("; ", done);
    }

    /** One to three mutations of {@code input} between {@code from} and {@code to} (the whole input when to is -1). */
    byte[] mutate(byte[] input, int from, int to) {
        done.clear();
        byte[] b = input;
        int n = 1 + rng.nextInt(3);
        for (int i = 0; i < n; i++) {
            int end = to < 0 ? b.length : Math.min(to + (b.length - input.length), b.length);
            b = once(b, Math.min(from, end), end);
        }
        return b;
    }

    byte[] mutate(byte[] input) {
        return mutate(input, 0, -1);
    }

    private byte[] once(byte[] b, int from, int to) {
        if (to - from <= 0) {
            done.add("empty range, appended '}'");
            return concat(b, bytes("}"));
        }
        int at = from + rng.nextInt(to - from);
        switch (rng.nextInt(8)) {
            case 0 -> {
                int bit = rng.nextInt(8);
                done.add("flipped bit " + bit + " of byte " + at);
                byte[] c = b.clone();
                c[at] ^= (byte) (1 << bit);
                return c;
            }
            case 1 -> {
                byte v = STRUCTURE[rng.nextInt(STRUCTURE.length)];
                done.add("byte " + at + " := '" + (char) v + "'");
                byte[] c = b.clone();
                c[at] = v;
                return c;
            }
            case 2 -> {
                byte v = ODD[rng.nextInt(ODD.length)];
                done.add("byte " + at + " := 0x" + Integer.toHexString(v & 0xFF));
                byte[] c = b.clone();
                c[at] = v;
                return c;
            }
            case 3 -> {
                int len = 1 + rng.nextInt(Math.min(16, to - at));
                done.add("deleted bytes [" + at + ", " + (at + len) + ")");
                return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, b.length));
            }
            case 4 -> {
                int len = 1 + rng.nextInt(Math.min(24, to - at));
                done.add("doubled bytes [" + at + ", " + (at + len) + ")");
                return concat(Arrays.copyOfRange(b, 0, at + len), Arrays.copyOfRange(b, at, b.length));
            }
            case 5 -> {
                done.add("truncated to " + at + " bytes");
                return Arrays.copyOf(b, at);
            }
            default -> {
                return swapScalar(b, from, to);
            }
        }
    }

    /** Replaces a random scalar (JSON/YAML number, string, boolean, null) in [from, to) with one of {@link #VALUES}. */
    private byte[] swapScalar(byte[] b, int from, int to) {
        String text = new String(b, StandardCharsets.ISO_8859_1);
        Matcher m = SCALAR.matcher(text);
        m.region(from, to);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
            done.add("no scalar to swap, flipped byte " + from);
            byte[] c = b.clone();
            c[from] ^= 1;
            return c;
        }
        int[] s = spans.get(rng.nextInt(spans.size()));
        String v = VALUES.get(rng.nextInt(VALUES.size()));
        done.add("scalar " + text.substring(s[0], s[1]) + " at " + s[0] + " := " + v);
        return concat(concat(Arrays.copyOfRange(b, 0, s[0]), bytes(v)), Arrays.copyOfRange(b, s[1], b.length));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
