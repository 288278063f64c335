package org.mera.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the weights of a BERT-family encoder exported to ONNX (HuggingFace / optimum / Xenova exports, as
 * shipped in the langchain4j embedding jars) into a state dict with HuggingFace BertModel names.
 *
 * <p>Those exports keep HF names for embeddings, biases and LayerNorms, but the PyTorch exporter renames every
 * Linear weight to {@code onnx::MatMul_NNN} and stores it transposed ([in, out]). The numbers carry no meaning,
 * so each such weight is named after the MatMul node that consumes it (e.g.
 * {@code /encoder/layer.0/attention/self/query/MatMul} gives {@code encoder.layer.0.attention.self.query.weight})
 * and transposed back to HF's [out, in].
 *
 * <p>The protobuf is decoded by hand: ModelProto.graph(7); GraphProto.node(1), initializer(5);
 * NodeProto input(1), output(2), name(3), op_type(4); TensorProto dims(1), data_type(2), float_data(4),
 * name(8), raw_data(9), external_data(13), data_location(14).
 */
public final class OnnxBertWeights {
    private static final int FLOAT = 1;
    private static final int FLOAT16 = 10;
    private static final int DOUBLE = 11;
    private static final int BFLOAT16 = 16;
    private static final Pattern HF_NAME = Pattern.compile("(embeddings|encoder\\.layer\\.\\d+|pooler)\\..+");
    private static final Pattern LINEAR_MATMUL_NODE =
            Pattern.compile("/?(?:bert/)?((?:encoder/layer\\.\\d+/.+|pooler/.+))/MatMul");

    private OnnxBertWeights() {}

    /** An initializer's header; its data is decoded only when the tensor is wanted. */
    private record Initializer(
            String name, long[] dims, int dataType, int[] rawData, float[] floatData, boolean external) {}

    private record Node(String name, String opType, List<String> inputs) {}

    /** The encoder's weights, HF names and layouts, in canonical order; validated by {@link BertShapes#check}. */
    public static Map<String, Tensor> read(Path onnxFile) throws IOException {
        ByteBuffer buf = map(onnxFile);
        ProtobufReader model = ProtobufReader.of(onnxFile, "ModelProto", buf);
        ProtobufReader graph = null;
        while (model.hasMore()) {
            if (model.nextField() == 7) {
                graph = model.readMessage("graph");
            } else {
                model.skip();
            }
        }
        if (graph == null) {
            throw new MalformedFileException(onnxFile, "ONNX ModelProto has no graph (field 7)");
        }
        List<Node> nodes = new ArrayList<>();
        Map<String, Initializer> initializers = new LinkedHashMap<>();
        while (graph.hasMore()) {
            int field = graph.nextField();
            if (field == 1) {
                nodes.add(readNode(graph.readMessage("node")));
            } else if (field == 5) {
                Initializer init = readInitializer(graph.readMessage("initializer"), onnxFile);
                if (initializers.put(init.name(), init) != null) {
                    throw new MalformedFileException(onnxFile, "initializer " + init.name() + " appears twice");
                }
            } else {
                graph.skip();
            }
        }

        // Which HF Linear each initializer feeds, by the name of the MatMul node that multiplies by it.
        Map<String, String> linearOf = new HashMap<>();
        for (Node node : nodes) {
            if (!node.opType().equals("MatMul") || node.inputs().size() != 2) {
                continue;
            }
            String weight = node.inputs().get(1);
            Initializer init = initializers.get(weight);
            if (init == null || HF_NAME.matcher(stripBertPrefix(weight)).matches()) {
                continue;
            }
            var m = LINEAR_MATMUL_NODE.matcher(node.name());
            if (!m.matches()) {
                throw new MalformedFileException(
                        onnxFile,
                        "initializer " + weight + " is multiplied by MatMul node '" + node.name()
                                + "', whose name does not say which BERT Linear it is");
            }
            String linear = m.group(1).replace('/', '.') + ".weight";
            String previous = linearOf.put(weight, linear);
            if (previous != null && !previous.equals(linear)) {
                throw new MalformedFileException(
                        onnxFile, "initializer " + weight + " feeds two Linears: " + previous + " and " + linear);
            }
        }

        Map<String, Tensor> out = new HashMap<>();
        for (Initializer init : initializers.values()) {
            String hfName;
            boolean transpose;
            String stripped = stripBertPrefix(init.name());
            if (linearOf.containsKey(init.name())) {
                hfName = linearOf.get(init.name());
                transpose = true;
            } else if (HF_NAME.matcher(stripped).matches()) {
                if (!isFloatType(init.dataType())) {
                    continue; // e.g. embeddings.position_ids (int64), a buffer, not a weight
                }
                hfName = stripped;
                transpose = false;
            } else if (init.name().startsWith("onnx::MatMul")) {
                throw new MalformedFileException(
                        onnxFile,
                        "Linear weight " + init.name()
                                + " has no MatMul node consuming it, so its BERT name is unknown");
            } else {
                continue; // shape constants and the like
            }
            Tensor t = decode(init, buf, onnxFile);
            NonFiniteTensorException.requireFinite(onnxFile, init.name(), t.data());
            if (transpose) {
                if (t.rank() != 2) {
                    throw new MalformedFileException(
                            onnxFile,
                            "Linear weight " + init.name() + " (" + hfName + ") has shape " + t.shapeString()
                                    + ", expected a matrix [in, out]");
                }
                t = t.transpose();
            }
            if (out.put(hfName, t) != null) {
                throw new MalformedFileException(onnxFile, "two initializers map to " + hfName);
            }
        }
        BertShapes.check(out, onnxFile);
        return BertShapes.canonicalOrder(out);
    }

    private static String stripBertPrefix(String name) {
        return name.startsWith("bert.") ? name.substring(5) : name;
    }

    private static boolean isFloatType(int dataType) {
        return dataType == FLOAT || dataType == FLOAT16 || dataType == DOUBLE || dataType == BFLOAT16;
    }

    private static ByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new MalformedFileException(
                        file,
                        "ONNX file of " + size
                                + " bytes: a protobuf cannot exceed 2 GiB (external-data models are not supported)");
            }
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return mapped;
        }
    }

    private static Node readNode(ProtobufReader r) throws IOException {
        String name = "";
        String op = "";
        List<String> inputs = new ArrayList<>();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> inputs.add(r.readString("input"));
                case 3 -> name = r.readString("name");
                case 4 -> op = r.readString("op_type");
                default -> r.skip();
            }
        }
        return new Node(name, op, inputs);
    }

    private static Initializer readInitializer(ProtobufReader r, Path file) throws IOException {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = null;
        int[] raw = null;
        FloatCollector floats = null;
        boolean external = false;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> r.readInt64s("dims", dims);
                case 2 -> dataType = (int) r.readVarintField("data_type");
                case 4 -> {
                    if (floats == null) {
                        floats = new FloatCollector();
                    }
                    floats.read(r);
                }
                case 8 -> name = r.readString("name");
                case 9 -> raw = r.readBytesRange("raw_data");
                case 14 -> external |= r.readVarintField("data_location") == 1;
                default -> r.skip();
            }
        }
        if (name == null) {
            throw new MalformedFileException(file, "an initializer has no name");
        }
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i);
        }
        return new Initializer(name, d, dataType, raw, floats == null ? null : floats.toArray(), external);
    }

    private static Tensor decode(Initializer init, ByteBuffer buf, Path file) throws MalformedFileException {
        if (init.external()) {
            throw new MalformedFileException(
                    file,
                    "initializer " + init.name() + " keeps its data in an external file, which mera does not read");
        }
        int[] shape = new int[init.dims().length];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long dim = init.dims()[i];
            if (dim < 0 || dim > Integer.MAX_VALUE) {
                throw new MalformedFileException(file, "initializer " + init.name() + " has invalid dimension " + dim);
            }
            shape[i] = (int) dim;
            n *= dim;
            if (n > Integer.MAX_VALUE) {
                throw new MalformedFileException(file, "initializer " + init.name() + " is too large");
            }
        }
        float[] data = new float[(int) n];
        if (init.rawData() != null) {
            int elemSize = switch (init.dataType()) {
                case FLOAT -> 4;
                case FLOAT16, BFLOAT16 -> 2;
                case DOUBLE -> 8;
                default ->
                    throw new MalformedFileException(
                            file, "initializer " + init.name() + " has unsupported data_type " + init.dataType());
            };
            long bytes = (long) init.rawData()[1] - init.rawData()[0];
            if (bytes != n * elemSize) {
                throw new MalformedFileException(
                        file,
                        "initializer " + init.name() + " of shape " + java.util.Arrays.toString(shape) + " needs "
                                + n * elemSize + " bytes of raw_data but has " + bytes);
            }
            FloatFormats.decodeLittleEndian(
                    buf,
                    init.rawData()[0],
                    elemSize == 4
                            ? FloatFormats.Encoding.F32
                            : elemSize == 8
                                    ? FloatFormats.Encoding.F64
                                    : init.dataType() == FLOAT16
                                            ? FloatFormats.Encoding.F16
                                            : FloatFormats.Encoding.BF16,
                    data);
        } else if (init.floatData() != null) {
            if (init.dataType() != FLOAT) {
                throw new MalformedFileException(
                        file, "initializer " + init.name() + " has float_data but data_type " + init.dataType());
            }
            if (init.floatData().length != n) {
                throw new MalformedFileException(
                        file,
                        "initializer " + init.name() + " of shape " + java.util.Arrays.toString(shape) + " has "
                                + init.floatData().length + " float_data values");
            }
            System.arraycopy(init.floatData(), 0, data, 0, data.length);
        } else if (n != 0) {
            throw new MalformedFileException(
                    file, "initializer " + init.name() + " has neither raw_data nor float_data");
        }
        return new Tensor(data, shape);
    }

    /** Gathers TensorProto.float_data, which may come packed (one run) or as single fixed32 fields. */
    private static final class FloatCollector {
        private float[] values = new float[16];
        private int size;

        void read(ProtobufReader r) throws MalformedFileException {
            if (r.wireType() == ProtobufReader.FIXED32) {
                add(Float.intBitsToFloat(r.readFixed32()));
                return;
            }
            int[] range = r.readBytesRange("float_data");
            int bytes = range[1] - range[0];
            if (bytes % 4 != 0) {
                throw r.fault("packed float_data of " + bytes + " bytes is not a whole number of floats");
            }
            ByteBuffer b = r.buffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (int p = range[0]; p < range[1]; p += 4) {
                add(b.getFloat(p));
            }
        }

        private void add(float v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
