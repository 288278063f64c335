package org.mera.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorFlow checkpoints written here byte by byte (SSTable index + data shard), then corrupted. */
class TfCheckpointTest {
    @TempDir
    Path tmp;

    private static final int H = 4;
    private static final int I = 6;
    private static final int V = 7;

    /** Google BERT variable name → tensor in TF layout, built from HF-named weights. */
    private static Map<String, Tensor> googleNames(Map<String, Tensor> hf) {
        Map<String, Tensor> tf = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : hf.entrySet()) {
            String n = e.getKey();
            Tensor t = e.getValue();
            String name;
            if (n.matches("embeddings\\.(word|position|token_type)_embeddings\\.weight")) {
                name = "bert/" + n.replace(".weight", "").replace('.', '/');
            } else {
                String path = n.startsWith("cls.") ? n : "bert." + n;
                path = path.replaceAll("encoder\\.layer\\.(\\d+)", "encoder.layer_$1")
                        .replace('.', '/');
                boolean ln = path.contains("LayerNorm");
                if (path.endsWith("/weight")) {
                    path = path.substring(0, path.length() - 7) + (ln ? "/gamma" : "/kernel");
                    if (!ln) {
                        t = t.transpose();
                    }
                } else if (path.equals("cls/predictions/bias")) {
                    path = "cls/predictions/output_bias";
                } else {
                    path = path.substring(0, path.length() - 5) + (ln ? "/beta" : "/bias");
                }
                name = path;
            }
            tf.put("module/" + name, t);
        }
        return tf;
    }

    private static Map<String, Tensor> hfWithHead(long seed) {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(TinyBert.weights(V, H, I, 2, seed));
        Random r = new Random(seed + 1);
        w.put("pooler.dense.weight", TinyBert.rand(r, H, H));
        w.put("pooler.dense.bias", TinyBert.rand(r, H));
        w.put("cls.predictions.transform.dense.weight", TinyBert.rand(r, H, H));
        w.put("cls.predictions.transform.dense.bias", TinyBert.rand(r, H));
        w.put("cls.predictions.transform.LayerNorm.weight", TinyBert.rand(r, H));
        w.put("cls.predictions.transform.LayerNorm.bias", TinyBert.rand(r, H));
        w.put("cls.predictions.bias", TinyBert.rand(r, V));
        return w;
    }

    /** Writes variables.index and variables.data-00000-of-00001 in {@code dir}; returns the index path. */
    static Path writeCheckpoint(Path dir, Map<String, Tensor> variables, int compression) throws IOException {
        Files.createDirectories(dir);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        TreeMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", new ProtoWriter().varint(1, 1).varint(2, 0).toByteArray());
        for (Map.Entry<String, Tensor> e : variables.entrySet()) {
            byte[] bytes = ProtoWriter.floatsLE(e.getValue().data());
            ProtoWriter shape = new ProtoWriter();
            for (int d : e.getValue().shape()) {
                shape.message(2, new ProtoWriter().varint(1, d));
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            entries.put(
                    e.getKey(),
                    new ProtoWriter()
                            .varint(1, 1)
                            .message(2, shape)
                            .varint(4, data.size())
                            .varint(5, bytes.length)
                            .fixed32(6, TfCheckpoint.mask((int) crc.getValue()))
                            .toByteArray());
            data.writeBytes(bytes);
        }
        // global_step (int64) must be ignored, as must optimizer slots
        entries.put(
                "global_step",
                new ProtoWriter()
                        .varint(1, 9)
                        .message(2, new ProtoWriter())
                        .varint(4, data.size())
                        .varint(5, 8)
                        .toByteArray());
        data.writeBytes(new byte[8]);
        Files.write(dir.resolve("variables.data-00000-of-00001"), data.toByteArray());

        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ProtoWriter block = new ProtoWriter();
        byte[] prev = new byte[0];
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            int shared = 0;
            while (shared < Math.min(prev.length, key.length) && prev[shared] == key[shared]) {
                shared++;
            }
            block.rawVarint(shared);
            block.rawVarint(key.length - shared);
            block.rawVarint(e.getValue().length);
            byte[] rest = Arrays.copyOfRange(key, shared, key.length);
            writeRaw(block, rest);
            writeRaw(block, e.getValue());
            prev = key;
        }
        long[] dataHandle = appendBlock(file, withRestarts(block.toByteArray()), compression);
        long[] metaHandle = appendBlock(file, withRestarts(new byte[0]), 0);
        ProtoWriter index = new ProtoWriter();
        byte[] lastKey = entries.lastKey().getBytes(StandardCharsets.UTF_8);
        ProtoWriter handle = new ProtoWriter();
        handle.rawVarint(dataHandle[0]);
        handle.rawVarint(dataHandle[1]);
        byte[] h = handle.toByteArray();
        index.rawVarint(0);
        index.rawVarint(lastKey.length);
        index.rawVarint(h.length);
        writeRaw(index, lastKey);
        writeRaw(index, h);
        long[] indexHandle = appendBlock(file, withRestarts(index.toByteArray()), 0);
        ProtoWriter footer = new ProtoWriter();
        footer.rawVarint(metaHandle[0]);
        footer.rawVarint(metaHandle[1]);
        footer.rawVarint(indexHandle[0]);
        footer.rawVarint(indexHandle[1]);
        byte[] f = Arrays.copyOf(footer.toByteArray(), 48);
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(40, 0xdb4775248b80fb57L);
        file.writeBytes(f);
        Path idx = dir.resolve("variables.index");
        Files.write(idx, file.toByteArray());
        return idx;
    }

    private static void writeRaw(ProtoWriter w, byte[] bytes) {
        w.raw(bytes);
    }

    private static byte[] withRestarts(byte[] entries) {
        return ByteBuffer.allocate(entries.length + 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put(entries)
                .putInt(0)
                .putInt(1)
                .array();
    }

    private static long[] appendBlock(ByteArrayOutputStream file, byte[] block, int compression) {
        long offset = file.size();
        file.writeBytes(block);
        file.write(compression);
        CRC32C crc = new CRC32C();
        crc.update(block);
        crc.update(compression);
        file.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(TfCheckpoint.mask((int) crc.getValue()))
                .array());
        return new long[] {offset, block.length};
    }

    @Test
    void googleBertNamesMapOntoHfNamesWithKernelsTransposed() throws IOException {
        Map<String, Tensor> hf = hfWithHead(5);
        Path idx = writeCheckpoint(tmp.resolve("ok"), googleNames(hf), 0);
        Map<String, Tensor> back = TfCheckpoint.readBert(idx);
        assertEquals(hf.keySet(), back.keySet());
        for (Map.Entry<String, Tensor> e : hf.entrySet()) {
            assertArrayEquals(e.getValue().shape(), back.get(e.getKey()).shape(), e.getKey());
            assertArrayEquals(e.getValue().data(), back.get(e.getKey()).data(), e.getKey());
        }
        assertEquals(
                "embeddings.word_embeddings.weight", back.keySet().iterator().next());
        assertEquals(1, TfCheckpoint.index(idx).numShards());
        assertFalse(TfCheckpoint.read(idx).containsKey("global_step"));
    }

    private void assertFault(Path idx, String... fragments) {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> TfCheckpoint.readBert(idx));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void truncatedOrForeignIndexIsRejected() throws IOException {
        Path idx = writeCheckpoint(tmp.resolve("t"), googleNames(hfWithHead(1)), 0);
        byte[] all = Files.readAllBytes(idx);
        Files.write(idx, Arrays.copyOf(all, all.length - 10));
        assertFault(idx, "variables.index", "magic");
        Files.write(idx, Arrays.copyOf(all, 20));
        assertFault(idx, "variables.index", "truncated");
    }

    @Test
    void compressedBlocksAndCorruptedBytesAreRejected() throws IOException {
        Map<String, Tensor> tf = googleNames(hfWithHead(2));
        assertFault(writeCheckpoint(tmp.resolve("snappy"), tf, 1), "compression type 1");

        Path idx = writeCheckpoint(tmp.resolve("flip"), tf, 0);
        byte[] all = Files.readAllBytes(idx);
        all[30] ^= 0x40; // inside the data block
        Files.write(idx, all);
        assertFault(idx, "CRC32C");

        Path good = writeCheckpoint(tmp.resolve("data"), tf, 0);
        Path shard = good.resolveSibling("variables.data-00000-of-00001");
        byte[] original = Files.readAllBytes(shard);
        byte[] d = original.clone();
        d[3] ^= 1;
        Files.write(shard, d);
        assertFault(good, "variables.data-00000-of-00001", "CRC32C");
        Files.write(shard, Arrays.copyOf(original, original.length / 2));
        assertFault(good, "past the end");
        Files.delete(shard);
        assertFault(good, "missing");
    }

    @Test
    void unknownBertVariableAndWrongShapeAreNamed() throws IOException {
        Map<String, Tensor> tf = googleNames(hfWithHead(3));
        tf.put("module/bert/encoder/layer_0/attention/self/rotary/kernel", Tensor.zeros(H, H));
        assertFault(
                writeCheckpoint(tmp.resolve("unknown"), tf, 0),
                "module/bert/encoder/layer_0/attention/self/rotary/kernel");
        Map<String, Tensor> tf2 = googleNames(hfWithHead(3));
        tf2.put("module/cls/predictions/output_bias", Tensor.zeros(V + 1));
        assertFault(writeCheckpoint(tmp.resolve("shape"), tf2, 0), "cls.predictions.bias", "[8]");
    }
}
