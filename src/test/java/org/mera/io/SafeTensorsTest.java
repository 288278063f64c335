package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path tmp;

    /** A safetensors file from a header JSON and data bytes, as another writer would make it. */
    private Path file(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = tmp.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(int bytesEach, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * bytesEach).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            switch (bytesEach) {
                case 2 -> b.putShort((short) v);
                case 4 -> b.putInt((int) v);
                default -> b.putLong(v);
            }
        }
        return b.array();
    }

    @Test
    void roundTripKeepsOrderValuesAndMetadata() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("b", new Tensor(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("a", new Tensor(new float[] {-1.5f}, 1));
        t.put("empty", new Tensor(new float[0], 0, 4));
        Path p = tmp.resolve("x.safetensors");
        SafeTensors.write(p, t, Map.of("format", "pt"));
        SafeTensors.Contents c = SafeTensors.read(p);
        assertEquals(
                Arrays.asList("b", "a", "empty"),
                new java.util.ArrayList<>(c.tensors().keySet()));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.tensors().get("b").data());
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("b").shape());
        assertArrayEquals(new int[] {0, 4}, c.tensors().get("empty").shape());
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertEquals(
                0,
                (Files.size(p)
                                - 8
                                - ByteBuffer.wrap(Files.readAllBytes(p), 0, 8)
                                        .order(ByteOrder.LITTLE_ENDIAN)
                                        .getLong())
                        % 4);
    }

    @Test
    void readsHalfBfloatAndDoublePrecision() throws IOException {
        byte[] f16 = le(2, 0x3c00, 0xc000, 0x7bff); // 1, -2, 65504 (the largest half; +inf is refused on read)
        byte[] bf16 = le(2, 0x3f80, 0x4049); // 1, 3.140625
        byte[] f64 = le(8, Double.doubleToLongBits(0.1), Double.doubleToLongBits(-7));
        byte[] data = new byte[f16.length + bf16.length + f64.length];
        System.arraycopy(f16, 0, data, 0, 6);
        System.arraycopy(bf16, 0, data, 6, 4);
        System.arraycopy(f64, 0, data, 10, 16);
        Path p = file(
                "mixed.safetensors",
                "{\"__metadata__\":{\"k\":\"v\"},"
                        + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[6,10]},"
                        + "\"d\":{\"dtype\":\"F64\",\"shape\":[2,1],\"data_offsets\":[10,26]}}",
                data);
        SafeTensors.Contents c = SafeTensors.read(p);
        assertArrayEquals(new float[] {1, -2, 65504f}, c.tensors().get("h").data());
        assertArrayEquals(new float[] {1, 3.140625f}, c.tensors().get("b").data());
        assertArrayEquals(new float[] {0.1f, -7}, c.tensors().get("d").data());
        assertEquals("v", c.metadata().get("k"));
    }

    private void assertFault(Path p, String... fragments) {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    private static final String ONE = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void truncatedFiles() throws IOException {
        Path ok = file("ok.safetensors", ONE, new byte[8]);
        byte[] all = Files.readAllBytes(ok);
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, Arrays.copyOf(all, 5));
        assertFault(tiny, "truncated");
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 3));
        assertFault(cut, "w", "truncated");
        Path headerCut = tmp.resolve("headercut.safetensors");
        Files.write(headerCut, Arrays.copyOf(all, 20));
        assertFault(headerCut, "header length");
    }

    @Test
    void invalidHeaders() throws IOException {
        assertFault(file("json.safetensors", "{\"w\":{\"dtype\":", new byte[8]), "not valid JSON");
        assertFault(file("dtype.safetensors", ONE.replace("F32", "Q7"), new byte[8]), "w", "dtype 'Q7'");
        assertFault(file("shape.safetensors", ONE.replace("[2]", "[3]"), new byte[8]), "w", "[3]", "12 bytes");
        assertFault(file("neg.safetensors", ONE.replace("[0,8]", "[8,0]"), new byte[8]), "w", "data_offsets");
        assertFault(file("range.safetensors", ONE.replace("[0,8]", "[8,16]"), new byte[8]), "w", "contiguous");
        assertFault(file("extra.safetensors", ONE, new byte[12]), "4 bytes after the last tensor");
    }

    @Test
    void overlappingAndGappedOffsets() throws IOException {
        assertFault(
                file(
                        "overlap.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        new byte[12]),
                "b",
                "overlaps");
        assertFault(
                file(
                        "gap.safetensors",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
                        new byte[12]),
                "b",
                "not contiguous");
    }
}
