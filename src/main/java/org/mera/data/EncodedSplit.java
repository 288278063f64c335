package org.mera.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mera.io.AtomicFiles;

/**
 * A whole tokenised split plus the key it was made under ({@link TextEncoder#cacheKey}: tokenizer file,
 * maximum length, task and the examples' text), so that it can be saved once and reused by later runs.
 *
 * <p>File format (big-endian): magic "MERAENC1", key (Java modified UTF-8), example count; per example
 * label index (int), target (float), length (int), then the input ids and the type ids (ints).
 */
public record EncodedSplit(String key, List<EncodedExample> examples) {
    private static final byte[] MAGIC = "MERAENC1".getBytes(StandardCharsets.US_ASCII);

    public EncodedSplit {
        examples = List.copyOf(examples);
    }

    public void write(Path file) throws IOException {
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(raw);
            out.write(MAGIC);
            out.writeUTF(key);
            out.writeInt(examples.size());
            for (EncodedExample x : examples) {
                out.writeInt(x.labelIndex());
                out.writeFloat(x.target());
                out.writeInt(x.length());
                for (int id : x.inputIds()) {
                    out.writeInt(id);
                }
                for (int t : x.typeIds()) {
                    out.writeInt(t);
                }
            }
            out.flush();
        });
    }

    /** Reads a file written by {@link #write}; a file of another kind or cut short is an error naming it. */
    public static EncodedSplit read(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(raw);
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException(file + ": not an encoded-split file (bad magic)");
            }
            String key = in.readUTF();
            int n = in.readInt();
            if (n < 0) {
                throw new IOException(file + ": negative example count " + n);
            }
            List<EncodedExample> xs = new ArrayList<>(Math.min(n, 1 << 20));
            for (int i = 0; i < n; i++) {
                int label = in.readInt();
                float target = in.readFloat();
                int len = in.readInt();
                if (len < 0 || len > 1 << 20) {
                    throw new IOException(file + ": example " + i + " has bad length " + len);
                }
                int[] ids = new int[len];
                int[] types = new int[len];
                for (int j = 0; j < len; j++) {
                    ids[j] = in.readInt();
                }
                for (int j = 0; j < len; j++) {
                    types[j] = in.readInt();
                }
                xs.add(new EncodedExample(ids, types, label, target));
            }
            if (in.read() != -1) {
                throw new IOException(file + ": trailing bytes after " + n + " examples");
            }
            return new EncodedSplit(key, xs);
        } catch (EOFException e) {
            throw new IOException(file + ": file is cut short", e);
        }
    }
}
