package org.mera.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * TensorFlow V2 checkpoints ({@code variables.index} + {@code variables.data-0000N-of-0000M}), read without
 * TensorFlow, and Google BERT variable names mapped onto HuggingFace names.
 *
 * <p>{@code variables.index} is a LevelDB-style SSTable: a 48-byte footer (metaindex and index BlockHandles as
 * varints, padding, magic {@code 0xdb4775248b80fb57}); blocks of prefix-compressed entries with a restart array,
 * each block followed by a compression byte (only 0, none, is supported) and a masked CRC32C. Keys are variable
 * names, values BundleEntryProto {dtype(1), shape(2), shard_id(3), offset(4), size(5), crc32c(6)}; the empty key
 * holds the BundleHeaderProto {num_shards(1), endianness(2)}. Tensor bytes sit in the data shards, each tensor
 * checked against its masked CRC32C.
 */
public final class TfCheckpoint {
    private static final long MAGIC = 0xdb4775248b80fb57L;
    private static final int FOOTER = 48;
    private static final int DT_FLOAT = 1;
    private static final int DT_DOUBLE = 2;
    private static final int DT_BFLOAT16 = 14;
    private static final int DT_HALF = 19;

    private TfCheckpoint() {}

    /** One variable's index entry. */
    public record Variable(String name, int dtype, long[] shape, int shard, long offset, long size, Integer crc32c) {
        public boolean isFloat() {
            return dtype == DT_FLOAT || dtype == DT_DOUBLE || dtype == DT_BFLOAT16 || dtype == DT_HALF;
        }
    }

    /** The index: the number of data shards and every variable, in key order. */
    public record Index(int numShards, List<Variable> variables) {}

    public static Index index(Path variablesIndex) throws IOException {
        return new IndexReader(variablesIndex).read();
    }

    /** Every floating-point variable under its TensorFlow name, converted to float32. */
    public static Map<String, Tensor> read(Path variablesIndex) throws IOException {
        Index index = index(variablesIndex);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Variable v : index.variables()) {
            if (v.isFloat()) {
                out.put(v.name(), readTensor(variablesIndex, index, v));
            }
        }
        return out;
    }

    /**
     * A Google BERT checkpoint (optionally under a {@code module/} prefix, as TF-Hub exports have it) as a state
     * dict with HF BertModel names, plus the masked-LM head as {@code cls.predictions.*} when present. Kernels
     * are transposed to [out, in]. Optimizer slots and {@code global_step} are ignored; any other variable under
     * {@code bert/} or {@code cls/predictions/} that has no HF counterpart is an error.
     */
    public static Map<String, Tensor> readBert(Path variablesIndex) throws IOException {
        Map<String, Tensor> out = new HashMap<>();
        Index index = index(variablesIndex);
        for (Variable v : index.variables()) {
            String name = v.name().startsWith("module/") ? v.name().substring("module/".length()) : v.name();
            if (!(name.startsWith("bert/") || name.startsWith("cls/"))
                    || name.contains("/adam_")
                    || name.contains("/Adam")) {
                continue;
            }
            if (name.startsWith("cls/seq_relationship/")) {
                continue; // next-sentence head: not part of BertForMaskedLM
            }
            HfName hf = hfName(name);
            if (hf == null) {
                throw new MalformedFileException(
                        variablesIndex, "BERT variable " + v.name() + " has no HuggingFace counterpart");
            }
            if (!v.isFloat()) {
                throw new MalformedFileException(
                        variablesIndex, "BERT variable " + v.name() + " has non-float dtype " + v.dtype());
            }
            Tensor t = readTensor(variablesIndex, index, v);
            if (hf.transpose()) {
                if (t.rank() != 2) {
                    throw new MalformedFileException(
                            variablesIndex,
                            "kernel " + v.name() + " has shape " + t.shapeString() + ", expected [in, out]");
                }
                t = t.transpose();
            }
            if (out.put(hf.name(), t) != null) {
                throw new MalformedFileException(variablesIndex, "two variables map to " + hf.name());
            }
        }
        BertShapes.Dimensions dims = BertShapes.check(out, variablesIndex);
        checkMaskedLmHead(out, dims, variablesIndex);
        return BertShapes.canonicalOrder(out);
    }

    private record HfName(String name, boolean transpose) {}

    private static final Pattern KNOWN_MODULE = Pattern.compile("embeddings\\.LayerNorm|pooler\\.dense"
            + "|cls\\.predictions\\.transform\\.(dense|LayerNorm)"
            + "|encoder\\.layer\\.\\d+\\.(attention\\.self\\.(query|key|value)|attention\\.output\\.(dense|LayerNorm)"
            + "|intermediate\\.dense|output\\.(dense|LayerNorm))");
    private static final Pattern LAYER = Pattern.compile("bert/encoder/layer_(\\d+)/(.+)");

    /** The HF name for a Google BERT variable name (without {@code module/}), or null. */
    static HfName hfName(String tf) {
        String path;
        if (tf.startsWith("bert/embeddings/")) {
            String rest = tf.substring("bert/embeddings/".length());
            if (rest.equals("word_embeddings")
                    || rest.equals("position_embeddings")
                    || rest.equals("token_type_embeddings")) {
                return new HfName("embeddings." + rest + ".weight", false);
            }
            path = "embeddings/" + rest;
        } else if (tf.startsWith("bert/pooler/")) {
            path = tf.substring("bert/".length());
        } else if (tf.equals("cls/predictions/output_bias")) {
            return new HfName("cls.predictions.bias", false);
        } else if (tf.startsWith("cls/predictions/transform/")) {
            path = tf;
        } else {
            Matcher m = LAYER.matcher(tf);
            if (!m.matches()) {
                return null;
            }
            path = "encoder/layer/" + m.group(1) + "/" + m.group(2);
        }
        int slash = path.lastIndexOf('/');
        String module = path.substring(0, slash).replace('/', '.');
        if (!KNOWN_MODULE.matcher(module).matches()) {
            return null;
        }
        String leaf = path.substring(slash + 1);
        boolean layerNorm = module.endsWith(".LayerNorm");
        return switch (leaf) {
            case "kernel" -> layerNorm ? null : new HfName(module + ".weight", true);
            case "bias" -> layerNorm ? null : new HfName(module + ".bias", false);
            case "gamma" -> layerNorm ? new HfName(module + ".weight", false) : null;
            case "beta" -> layerNorm ? new HfName(module + ".bias", false) : null;
            default -> null;
        };
    }

    private static void checkMaskedLmHead(Map<String, Tensor> w, BertShapes.Dimensions d, Path file)
            throws MalformedFileException {
        if (w.keySet().stream().noneMatch(k -> k.startsWith("cls."))) {
            return;
        }
        int h = d.hiddenSize();
        Object[][] expected = {
            {"cls.predictions.transform.dense.weight", new int[] {h, h}},
            {"cls.predictions.transform.dense.bias", new int[] {h}},
            {"cls.predictions.transform.LayerNorm.weight", new int[] {h}},
            {"cls.predictions.transform.LayerNorm.bias", new int[] {h}},
            {"cls.predictions.bias", new int[] {d.vocabSize()}}
        };
        for (Object[] e : expected) {
            Tensor t = w.get((String) e[0]);
            if (t == null) {
                throw new MalformedFileException(file, "masked-LM head incomplete: missing " + e[0]);
            }
            if (!Arrays.equals(t.shape(), (int[]) e[1])) {
                throw new MalformedFileException(
                        file, e[0] + " has shape " + t.shapeString() + ", expected " + Arrays.toString((int[]) e[1]));
            }
        }
    }

    /** Reads one variable's bytes from its data shard (memory-mapped region, so shards may exceed 2 GiB). */
    static Tensor readTensor(Path variablesIndex, Index index, Variable v) throws IOException {
        FloatFormats.Encoding enc = switch (v.dtype()) {
            case DT_FLOAT -> FloatFormats.Encoding.F32;
            case DT_DOUBLE -> FloatFormats.Encoding.F64;
            case DT_HALF -> FloatFormats.Encoding.F16;
            case DT_BFLOAT16 -> FloatFormats.Encoding.BF16;
            default ->
                throw new MalformedFileException(
                        variablesIndex, "variable " + v.name() + " has non-float dtype " + v.dtype());
        };
        int[] shape = new int[v.shape().length];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (v.shape()[i] < 0 || v.shape()[i] > Integer.MAX_VALUE) {
                throw new MalformedFileException(
                        variablesIndex, "variable " + v.name() + " has invalid dimension " + v.shape()[i]);
            }
            shape[i] = (int) v.shape()[i];
            n *= shape[i];
        }
        if (n * enc.bytes != v.size() || n > Integer.MAX_VALUE) {
            throw new MalformedFileException(
                    variablesIndex,
                    "variable " + v.name() + " of shape " + Arrays.toString(shape) + " needs " + n * enc.bytes
                            + " bytes but its entry says " + v.size());
        }
        Path shard = shardPath(variablesIndex, index.numShards(), v.shard());
        float[] data = new float[(int) n];
        try (FileChannel ch = FileChannel.open(shard, StandardOpenOption.READ)) {
            if (v.offset() < 0 || v.offset() + v.size() > ch.size()) {
                throw new MalformedFileException(
                        shard,
                        "variable " + v.name() + " at bytes [" + v.offset() + ", " + (v.offset() + v.size())
                                + ") lies past the end of the " + ch.size() + "-byte shard");
            }
            ByteBuffer region = ch.map(FileChannel.MapMode.READ_ONLY, v.offset(), v.size());
            if (v.crc32c() != null) {
                CRC32C crc = new CRC32C();
                crc.update(region.duplicate());
                if (mask((int) crc.getValue()) != v.crc32c()) {
                    throw new MalformedFileException(
                            shard, "variable " + v.name() + " fails its CRC32C check (corrupted data)");
                }
            }
            FloatFormats.decodeLittleEndian(region, 0, enc, data);
        }
        NonFiniteTensorException.requireFinite(variablesIndex, v.name(), data);
        return new Tensor(data, shape);
    }

    private static Path shardPath(Path variablesIndex, int shards, int shard) throws IOException {
        String base = variablesIndex.getFileName().toString();
        if (!base.endsWith(".index")) {
            throw new MalformedFileException(variablesIndex, "a checkpoint index file name ends in .index");
        }
        String prefix = base.substring(0, base.length() - ".index".length());
        if (shard < 0 || shard >= shards) {
            throw new MalformedFileException(variablesIndex, "shard_id " + shard + " outside 0.." + (shards - 1));
        }
        Path p = variablesIndex.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix, shard, shards));
        if (!Files.isRegularFile(p)) {
            throw new MalformedFileException(variablesIndex, "data shard " + p.getFileName() + " is missing");
        }
        return p;
    }

    /** LevelDB's CRC mask: rotate right by 15 and add a constant. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    /** Reads the SSTable. */
    private static final class IndexReader {
        private final Path file;
        private final ByteBuffer bytes;

        IndexReader(Path file) throws IOException {
            this.file = file;
            this.bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        }

        Index read() throws IOException {
            int size = bytes.capacity();
            if (size < FOOTER) {
                throw new MalformedFileException(
                        file, "truncated SSTable: " + size + " bytes, less than the 48-byte footer");
            }
            if (bytes.getLong(size - 8) != MAGIC) {
                throw new MalformedFileException(
                        file, "not an SSTable: bad magic number in the footer (truncated or not a checkpoint index)");
            }
            ProtobufReader footer = new ProtobufReader(file, "SSTable footer", bytes, size - FOOTER, size - 8);
            footer.readVarint(); // metaindex offset
            footer.readVarint(); // metaindex size
            long indexOffset = footer.readVarint();
            long indexSize = footer.readVarint();
            List<String> keys = new ArrayList<>();
            List<int[]> values = new ArrayList<>();
            List<String> indexKeys = new ArrayList<>();
            List<int[]> handles = new ArrayList<>();
            readBlock(indexOffset, indexSize, "index block", indexKeys, handles);
            for (int i = 0; i < handles.size(); i++) {
                ProtobufReader h =
                        new ProtobufReader(file, "block handle", bytes, handles.get(i)[0], handles.get(i)[1]);
                long off = h.readVarint();
                long len = h.readVarint();
                readBlock(off, len, "data block " + i, keys, values);
            }
            List<Variable> out = new ArrayList<>();
            int numShards = -1;
            for (int i = 0; i < keys.size(); i++) {
                ProtobufReader r = new ProtobufReader(
                        file,
                        keys.get(i).isEmpty() ? "BundleHeaderProto" : "BundleEntryProto(" + keys.get(i) + ")",
                        bytes,
                        values.get(i)[0],
                        values.get(i)[1]);
                if (keys.get(i).isEmpty()) {
                    numShards = readHeader(r);
                } else {
                    out.add(readEntry(keys.get(i), r));
                }
            }
            if (numShards < 0) {
                throw new MalformedFileException(file, "no BundleHeaderProto (empty key)");
            }
            return new Index(numShards, out);
        }

        private int readHeader(ProtobufReader r) throws IOException {
            int shards = 1;
            while (r.hasMore()) {
                switch (r.nextField()) {
                    case 1 -> shards = (int) r.readVarintField("num_shards");
                    case 2 -> {
                        long endianness = r.readVarintField("endianness");
                        if (endianness != 0) {
                            throw new MalformedFileException(file, "big-endian checkpoints are not supported");
                        }
                    }
                    default -> r.skip();
                }
            }
            if (shards <= 0) {
                throw new MalformedFileException(file, "BundleHeaderProto num_shards " + shards);
            }
            return shards;
        }

        private Variable readEntry(String name, ProtobufReader r) throws IOException {
            int dtype = 0;
            List<Long> shape = new ArrayList<>();
            int shard = 0;
            long offset = 0;
            long size = 0;
            Integer crc = null;
            while (r.hasMore()) {
                switch (r.nextField()) {
                    case 1 -> dtype = (int) r.readVarintField("dtype");
                    case 2 -> {
                        ProtobufReader s = r.readMessage("shape");
                        while (s.hasMore()) {
                            if (s.nextField() == 2) {
                                ProtobufReader dim = s.readMessage("dim");
                                long d = 0;
                                while (dim.hasMore()) {
                                    if (dim.nextField() == 1) {
                                        d = dim.readVarintField("size");
                                    } else {
                                        dim.skip();
                                    }
                                }
                                shape.add(d);
                            } else {
                                s.skip();
                            }
                        }
                    }
                    case 3 -> shard = (int) r.readVarintField("shard_id");
                    case 4 -> offset = r.readVarintField("offset");
                    case 5 -> size = r.readVarintField("size");
                    case 6 -> {
                        if (r.wireType() != ProtobufReader.FIXED32) {
                            throw r.fault("crc32c is not fixed32");
                        }
                        crc = r.readFixed32();
                    }
                    case 7 ->
                        throw new MalformedFileException(
                                file,
                                "variable " + name
                                        + " is stored as slices (partitioned variable), which mera does not read");
                    default -> r.skip();
                }
            }
            long[] s = shape.stream().mapToLong(Long::longValue).toArray();
            return new Variable(name, dtype, s, shard, offset, size, crc);
        }

        /** Appends the block's keys and value [start, end) ranges. */
        private void readBlock(long offset, long size, String what, List<String> keys, List<int[]> values)
                throws IOException {
            if (offset < 0 || size < 4 || offset + size + 5 > bytes.capacity() - FOOTER) {
                throw new MalformedFileException(
                        file,
                        what + " at [" + offset + ", " + (offset + size)
                                + ") plus its 5-byte trailer lies outside the file (truncated SSTable?)");
            }
            int start = (int) offset;
            int end = (int) (offset + size);
            int compression = bytes.get(end) & 0xff;
            if (compression != 0) {
                throw new MalformedFileException(
                        file,
                        what + " uses compression type " + compression
                                + "; only uncompressed (0) SSTables are supported");
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.array(), start, (int) size + 1);
            if (mask((int) crc.getValue()) != bytes.getInt(end + 1)) {
                throw new MalformedFileException(file, what + " fails its CRC32C check (corrupted index)");
            }
            int numRestarts = bytes.getInt(end - 4);
            long restartsStart = end - 4 - 4L * numRestarts;
            if (numRestarts < 1 || restartsStart < start) {
                throw new MalformedFileException(file, what + " has an invalid restart count " + numRestarts);
            }
            ProtobufReader r = new ProtobufReader(file, what, bytes, start, (int) restartsStart);
            byte[] prev = new byte[0];
            while (r.hasMore()) {
                long shared = r.readVarint();
                long nonShared = r.readVarint();
                long valueLength = r.readVarint();
                if (shared > prev.length || nonShared < 0 || valueLength < 0) {
                    throw new MalformedFileException(
                            file,
                            what + " has an entry sharing " + shared + " bytes with a previous key of " + prev.length);
                }
                int keyStart = r.position();
                if (nonShared + valueLength > restartsStart - keyStart) {
                    throw new MalformedFileException(file, what + " has an entry running past the block's end");
                }
                byte[] key = Arrays.copyOf(prev, (int) (shared + nonShared));
                bytes.duplicate().position(keyStart).get(key, (int) shared, (int) nonShared);
                int valueStart = keyStart + (int) nonShared;
                keys.add(new String(key, StandardCharsets.UTF_8));
                values.add(new int[] {valueStart, valueStart + (int) valueLength});
                r.position(valueStart + (int) valueLength);
                prev = key;
            }
        }
    }
}
