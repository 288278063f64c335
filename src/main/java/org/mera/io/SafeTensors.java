package org.mera.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * safetensors files (https://github.com/huggingface/safetensors): 8-byte little-endian header length,
 * a JSON header, then the raw tensor bytes. Reads F32, F16, BF16 and F64 (converted to float32), memory-mapping
 * each tensor's region so files over 2 GiB work; writes F32 files that Python's safetensors reads.
 *
 * <p>Reading validates what the format promises and names the file and fault otherwise: header length within
 * the file, valid JSON, known dtypes, shapes that match their byte counts, and offsets in range, contiguous
 * from 0 and covering the data exactly.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = Json.PLAIN;
    /** The reference implementation refuses headers over 100 MB. */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** Tensors in file order, plus the string metadata of {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private record Entry(String name, FloatFormats.Encoding encoding, int[] shape, long begin, long end) {}

    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new MalformedFileException(
                        file, "truncated safetensors file: " + fileSize + " bytes, no header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > MAX_HEADER || n > fileSize - 8) {
                throw new MalformedFileException(
                        file,
                        "header length " + n + " is invalid or runs past the end of the " + fileSize + "-byte file");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JacksonException e) {
                throw new MalformedFileException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw new MalformedFileException(file, "header is not a JSON object");
            }
            long dataStart = 8 + n;
            long dataSize = fileSize - dataStart;
            Map<String, String> meta = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    if (!e.getValue().isObject()) {
                        throw new MalformedFileException(file, "__metadata__ is not an object");
                    }
                    for (Iterator<Map.Entry<String, JsonNode>> m =
                                    e.getValue().properties().iterator();
                            m.hasNext(); ) {
                        Map.Entry<String, JsonNode> kv = m.next();
                        if (!kv.getValue().isTextual()) {
                            throw new MalformedFileException(
                                    file, "__metadata__ value for " + kv.getKey() + " is not a string");
                        }
                        meta.put(kv.getKey(), kv.getValue().asText());
                    }
                    continue;
                }
                entries.add(entry(file, e.getKey(), e.getValue()));
            }
            // the data must be covered exactly, tensor after tensor, in offset order
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long expected = 0;
            String last = "";
            for (Entry e : byOffset) {
                if (e.begin() < expected) {
                    throw new MalformedFileException(
                            file,
                            "tensor " + e.name() + " at [" + e.begin() + ", " + e.end()
                                    + ") overlaps the previous tensor, which ends at " + expected);
                }
                if (e.begin() > expected) {
                    throw new MalformedFileException(
                            file,
                            "tensor " + e.name() + " starts at " + e.begin() + " but the previous data ends at "
                                    + expected + " (offsets not contiguous)");
                }
                expected = e.end();
                last = e.name();
            }
            if (expected > dataSize) {
                throw new MalformedFileException(
                        file,
                        "tensor " + last + " ends at data offset " + expected + " but the file holds only " + dataSize
                                + " data bytes (truncated file or offsets out of range)");
            }
            if (expected < dataSize) {
                throw new MalformedFileException(
                        file, (dataSize - expected) + " bytes after the last tensor belong to none");
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                float[] data = new float[(int) Tensor.numel(e.shape())];
                if (data.length > 0) {
                    ByteBuffer region =
                            ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin());
                    FloatFormats.decodeLittleEndian(region, 0, e.encoding(), data);
                }
                NonFiniteTensorException.requireFinite(file, e.name(), data);
                tensors.put(e.name(), new Tensor(data, e.shape()));
            }
            return new Contents(tensors, meta);
        }
    }

    private static Entry entry(Path file, String name, JsonNode info) throws MalformedFileException {
        if (!info.isObject()) {
            throw new MalformedFileException(file, "tensor " + name + ": header entry is not an object");
        }
        String dtype = info.path("dtype").asText("");
        FloatFormats.Encoding enc = switch (dtype) {
            case "F32" -> FloatFormats.Encoding.F32;
            case "F16" -> FloatFormats.Encoding.F16;
            case "BF16" -> FloatFormats.Encoding.BF16;
            case "F64" -> FloatFormats.Encoding.F64;
            default ->
                throw new MalformedFileException(
                        file,
                        "tensor " + name + " has unsupported dtype '" + dtype + "' (mera reads F32, F16, BF16, F64)");
        };
        JsonNode shapeNode = info.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new MalformedFileException(file, "tensor " + name + " has no shape array");
        }
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new MalformedFileException(file, "tensor " + name + " has invalid dimension " + d);
            }
            shape[i] = d.asInt();
            numel *= shape[i];
            if (numel > Integer.MAX_VALUE) {
                throw new MalformedFileException(
                        file,
                        "tensor " + name + " of shape " + shapeNode + " has more elements than a Java array holds");
            }
        }
        JsonNode offsets = info.get("data_offsets");
        if (offsets == null
                || !offsets.isArray()
                || offsets.size() != 2
                || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong()) {
            throw new MalformedFileException(file, "tensor " + name + " has no data_offsets [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new MalformedFileException(
                    file, "tensor " + name + " has invalid data_offsets [" + begin + ", " + end + "]");
        }
        if (end - begin != numel * enc.bytes) {
            throw new MalformedFileException(
                    file,
                    "tensor " + name + " of shape " + Arrays.toString(shape) + " and dtype " + dtype + " needs "
                            + numel * enc.bytes + " bytes but data_offsets span " + (end - begin));
        }
        return new Entry(name, enc, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    /** Writes F32 tensors in the given order, atomically (temporary file, then rename). */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().numel();
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        AtomicFiles.write(file, out -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                for (float v : t.data()) {
                    if (chunk.remaining() < 4) {
                        out.write(chunk.array(), 0, chunk.position());
                        chunk.clear();
                    }
                    chunk.putFloat(v);
                }
            }
            out.write(chunk.array(), 0, chunk.position());
        });
    }
}
