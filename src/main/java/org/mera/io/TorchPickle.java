package org.mera.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads the tensors of a PyTorch {@code torch.save} file ({@code pytorch_model.bin}, AdapterHub's
 * {@code pytorch_adapter.bin} / {@code pytorch_model_head.bin}) without running any of it.
 *
 * <p>Since PyTorch 1.6 such a file is a zip: {@code <archive>/data.pkl}, a pickle of the state dict whose
 * tensors point at raw little-endian storages {@code <archive>/data/<key>}. This reader interprets the pickle
 * opcodes itself, the way candle and the safetensors converter do, and resolves only the globals a state dict
 * of tensors needs ({@code torch._utils._rebuild_tensor_v2} / {@code _rebuild_parameter}, the typed storage
 * classes such as {@code torch.FloatStorage}, {@code collections.OrderedDict}); any other global, or any
 * opcode outside the data subset, refuses the file with an error naming it. Nothing in the file is executed.
 * Float storages (F32, F16, BF16, F64) become float32 tensors; integer ones (buffers such as
 * {@code position_ids}) too, exactly for values below 2^24.
 */
public final class TorchPickle {
    private TorchPickle() {}

    /** A global the pickle named and this reader allows. */
    private record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage reference (persistent id): dtype from the storage class, key of its data file. */
    private record StorageRef(String dtype, String key) {}

    /** A call of {@code _rebuild_tensor_v2}, materialised when the whole pickle has been read. */
    private record TensorRef(StorageRef storage, long offset, int[] size, long[] stride) {}

    private static final Map<String, Integer> STORAGE_BYTES = Map.ofEntries(
            Map.entry("FloatStorage", 4),
            Map.entry("HalfStorage", 2),
            Map.entry("BFloat16Storage", 2),
            Map.entry("DoubleStorage", 8),
            Map.entry("LongStorage", 8),
            Map.entry("IntStorage", 4),
            Map.entry("ShortStorage", 2),
            Map.entry("CharStorage", 1),
            Map.entry("ByteStorage", 1),
            Map.entry("BoolStorage", 1));

    private static final Object MARK = new Object();

    /** The file's state dict (nested dicts flattened with dots), tensors as float32. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (ZipFile zip = openZip(file)) {
            ZipEntry pkl = null;
            for (var en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl")) {
                    if (pkl != null) {
                        throw new MalformedFileException(
                                file, "holds two pickles (" + pkl.getName() + ", " + e.getName() + ")");
                    }
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new MalformedFileException(file, "zip without a data.pkl: not a torch.save file");
            }
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ZipEntry order = zip.getEntry(prefix + "byteorder");
            if (order != null) {
                String bo = new String(readAll(zip, order, 16, file), StandardCharsets.US_ASCII).trim();
                if (!bo.equals("little")) {
                    throw new MalformedFileException(file, "byteorder '" + bo + "' is not supported (only little)");
                }
            }
            if (pkl.getSize() > (256L << 20)) {
                throw new MalformedFileException(
                        file, prefix + "data.pkl is " + pkl.getSize() + " bytes, too large for a state dict");
            }
            Object root = new Machine(file, readAll(zip, pkl, Integer.MAX_VALUE, file)).run();
            if (!(root instanceof Map<?, ?> dict)) {
                throw new MalformedFileException(file, "the pickle is a " + describe(root) + ", not a state dict");
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            flatten("", dict, out, zip, prefix, file);
            return out;
        }
    }

    private static ZipFile openZip(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (java.util.zip.ZipException e) {
            throw new MalformedFileException(
                    file,
                    "not a zip archive: a legacy (before PyTorch 1.6) or plain pickle file; "
                            + "only the zip format of torch.save is read (re-save it with torch.save, or convert it to safetensors)",
                    e);
        }
    }

    private static void flatten(
            String prefix, Map<?, ?> dict, Map<String, Tensor> out, ZipFile zip, String archive, Path file)
            throws IOException {
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new MalformedFileException(file, "state dict key " + describe(e.getKey()) + " is not a string");
            }
            String name = prefix + key;
            if (e.getValue() instanceof TensorRef t) {
                out.put(name, materialise(t, zip, archive, file, name));
            } else if (e.getValue() instanceof Map<?, ?> sub) {
                flatten(name + ".", sub, out, zip, archive, file);
            } else {
                throw new MalformedFileException(
                        file, "state dict entry " + name + " is a " + describe(e.getValue()) + ", not a tensor");
            }
        }
    }

    private static Tensor materialise(TensorRef t, ZipFile zip, String archive, Path file, String name)
            throws IOException {
        ZipEntry data = zip.getEntry(archive + "data/" + t.storage().key());
        if (data == null) {
            throw new MalformedFileException(
                    file, "tensor " + name + " points at storage " + t.storage().key() + ", which the archive lacks");
        }
        int width = STORAGE_BYTES.get(t.storage().dtype());
        long numel = Tensor.numel(t.size());
        if (numel > Integer.MAX_VALUE - 8) {
            throw new MalformedFileException(file, "tensor " + name + " has " + numel + " elements, too many");
        }
        long last = t.offset();
        for (int d = 0; d < t.size().length; d++) {
            if (t.size()[d] == 0) {
                last = -1;
                break;
            }
            last += (long) (t.size()[d] - 1) * t.stride()[d];
        }
        if (data.getSize() >= 0 && last >= 0 && (last + 1) * width > data.getSize()) {
            throw new MalformedFileException(
                    file,
                    "tensor " + name + " " + Arrays.toString(t.size()) + " reaches element " + last + " of storage "
                            + t.storage().key() + ", which holds " + data.getSize() / width);
        }
        if (data.getSize() > Integer.MAX_VALUE - 8) {
            throw new MalformedFileException(
                    file, "storage " + t.storage().key() + " is over 2 GiB; convert the file to safetensors");
        }
        ByteBuffer buf =
                ByteBuffer.wrap(readAll(zip, data, Integer.MAX_VALUE, file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) numel];
        int[] idx = new int[t.size().length];
        for (int i = 0; i < out.length; i++) {
            long pos = t.offset();
            for (int d = 0; d < idx.length; d++) {
                pos += idx[d] * t.stride()[d];
            }
            out[i] = element(buf, t.storage().dtype(), (int) (pos * width));
            for (int d = idx.length - 1; d >= 0; d--) {
                if (++idx[d] < t.size()[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return new Tensor(out, t.size());
    }

    private static float element(ByteBuffer b, String dtype, int at) {
        return switch (dtype) {
            case "FloatStorage" -> b.getFloat(at);
            case "HalfStorage" -> FloatFormats.halfToFloat(b.getShort(at));
            case "BFloat16Storage" -> FloatFormats.bf16ToFloat(b.getShort(at));
            case "DoubleStorage" -> (float) b.getDouble(at);
            case "LongStorage" -> (float) b.getLong(at);
            case "IntStorage" -> (float) b.getInt(at);
            case "ShortStorage" -> (float) b.getShort(at);
            case "CharStorage" -> (float) b.get(at);
            case "ByteStorage" -> (float) (b.get(at) & 0xff);
            case "BoolStorage" -> b.get(at) != 0 ? 1f : 0f;
            default -> throw new IllegalStateException(dtype);
        };
    }

    private static byte[] readAll(ZipFile zip, ZipEntry e, int max, Path file) throws IOException {
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(max);
            if (b.length == max && in.read() >= 0) {
                throw new MalformedFileException(file, e.getName() + " is larger than expected");
            }
            return b;
        }
    }

    private static String describe(Object o) {
        return o == null
                ? "None"
                : o instanceof Global g ? "global " + g : o.getClass().getSimpleName();
    }

    /** The pickle virtual machine, restricted to data opcodes and the allowed globals. */
    private static final class Machine {
        private final Path file;
        private final ByteBuffer in;
        private final List<Object> stack = new ArrayList<>();
        private final Map<Integer, Object> memo = new HashMap<>();

        Machine(Path file, byte[] pickle) {
            this.file = file;
            this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        }

        Object run() throws MalformedFileException {
            try {
                while (true) {
                    int pos = in.position();
                    int op = in.get() & 0xff;
                    switch (op) {
                        case 0x80 -> in.get(); // PROTO
                        case 0x95 -> in.getLong(); // FRAME
                        case '.' -> { // STOP
                            return pop();
                        }
                        case '}' -> push(new LinkedHashMap<>());
                        case ']' -> push(new ArrayList<>());
                        case ')' -> push(List.of());
                        case '(' -> push(MARK);
                        case 'N' -> push(null);
                        case 0x88 -> push(true);
                        case 0x89 -> push(false);
                        case 'J' -> push((long) in.getInt());
                        case 'K' -> push((long) (in.get() & 0xff));
                        case 'M' -> push((long) (in.getShort() & 0xffff));
                        case 0x8a -> push(long1(in.get() & 0xff, pos));
                        case 'G' -> push(readBigDouble());
                        case 'X' -> push(string(in.getInt()));
                        case 0x8c -> push(string(in.get() & 0xff));
                        case 0x8d -> push(string(checkedLength(in.getLong(), pos)));
                        case 'U' -> push(bytes(in.get() & 0xff));
                        case 'T', 'B' -> push(bytes(in.getInt()));
                        case 'C' -> push(bytes(in.get() & 0xff));
                        case 'q' -> memo.put(in.get() & 0xff, peek());
                        case 'r' -> memo.put(in.getInt(), peek());
                        case 0x94 -> memo.put(memo.size(), peek());
                        case 'h' -> push(memoGet(in.get() & 0xff, pos));
                        case 'j' -> push(memoGet(in.getInt(), pos));
                        case 'c' -> push(global(line(), line(), pos));
                        case 0x93 -> { // STACK_GLOBAL
                            Object name = pop();
                            Object module = pop();
                            if (!(module instanceof String m) || !(name instanceof String n)) {
                                throw refuse(pos, "STACK_GLOBAL with non-string operands");
                            }
                            push(global(m, n, pos));
                        }
                        case 't' -> push(List.copyOf(popToMark(pos)));
                        case 0x85 -> push(List.of(pop()));
                        case 0x86 -> {
                            Object b = pop();
                            push(Arrays.asList(pop(), b));
                        }
                        case 0x87 -> {
                            Object c = pop();
                            Object b = pop();
                            push(Arrays.asList(pop(), b, c));
                        }
                        case 'Q' -> push(persistent(pop(), pos)); // BINPERSID
                        case 'R' -> { // REDUCE
                            Object args = pop();
                            push(call(pop(), args, pos));
                        }
                        case 's' -> {
                            Object v = pop();
                            Object k = pop();
                            dict(peek(), pos).put(k, v);
                        }
                        case 'u' -> {
                            List<Object> items = popToMark(pos);
                            Map<Object, Object> d = dict(peek(), pos);
                            if (items.size() % 2 != 0) {
                                throw refuse(pos, "SETITEMS with an odd number of items");
                            }
                            for (int i = 0; i < items.size(); i += 2) {
                                d.put(items.get(i), items.get(i + 1));
                            }
                        }
                        case 'a' -> {
                            Object v = pop();
                            list(peek(), pos).add(v);
                        }
                        case 'e' -> {
                            List<Object> items = popToMark(pos);
                            list(peek(), pos).addAll(items);
                        }
                        case 'b' -> { // BUILD: only the plain attribute dict an OrderedDict state dict carries
                            // (_metadata)
                            Object state = pop();
                            if (!(peek() instanceof Map) || !(state == null || state instanceof Map)) {
                                throw refuse(pos, "BUILD of a " + describe(peek()) + " with a " + describe(state));
                            }
                        }
                        default ->
                            throw refuse(
                                    pos,
                                    String.format(
                                            "opcode 0x%02x ('%s'), which a state dict of tensors does not use",
                                            op, op >= 0x20 && op < 0x7f ? Character.toString(op) : "?"));
                    }
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw new MalformedFileException(file, "pickle ends before its STOP opcode", e);
            }
        }

        private double readBigDouble() {
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (in.get() & 0xff);
            }
            return Double.longBitsToDouble(bits);
        }

        private Object global(String module, String name, int pos) throws MalformedFileException {
            boolean ok = switch (module) {
                case "torch._utils" -> name.equals("_rebuild_tensor_v2") || name.equals("_rebuild_parameter");
                case "torch" -> STORAGE_BYTES.containsKey(name);
                case "collections" -> name.equals("OrderedDict");
                default -> false;
            };
            if (!ok) {
                throw refuse(
                        pos,
                        "global " + module + "." + name + "; only tensor-rebuild globals "
                                + "(torch._utils._rebuild_tensor_v2, torch.*Storage, collections.OrderedDict) are allowed, nothing is executed");
            }
            return new Global(module, name);
        }

        private Object call(Object callable, Object args, int pos) throws MalformedFileException {
            if (!(callable instanceof Global g) || !(args instanceof List<?> a)) {
                throw refuse(pos, "REDUCE of " + describe(callable));
            }
            switch (g.toString()) {
                case "collections.OrderedDict" -> {
                    if (!a.isEmpty()) {
                        throw refuse(pos, "OrderedDict with constructor arguments");
                    }
                    return new LinkedHashMap<>();
                }
                case "torch._utils._rebuild_tensor_v2" -> {
                    if (a.size() < 6
                            || !(a.get(0) instanceof StorageRef s)
                            || !(a.get(1) instanceof Long offset)
                            || !(a.get(2) instanceof List<?> size)
                            || !(a.get(3) instanceof List<?> stride)
                            || size.size() != stride.size()) {
                        throw refuse(pos, "_rebuild_tensor_v2 with unexpected arguments");
                    }
                    int[] sz = new int[size.size()];
                    long[] st = new long[size.size()];
                    for (int i = 0; i < sz.length; i++) {
                        if (!(size.get(i) instanceof Long l)
                                || l < 0
                                || l > Integer.MAX_VALUE
                                || !(stride.get(i) instanceof Long m)
                                || m < 0) {
                            throw refuse(
                                    pos,
                                    "_rebuild_tensor_v2 with a size or stride that is not a small non-negative integer");
                        }
                        sz[i] = l.intValue();
                        st[i] = (Long) stride.get(i);
                    }
                    return new TensorRef(s, offset, sz, st);
                }
                case "torch._utils._rebuild_parameter" -> {
                    if (a.isEmpty() || !(a.get(0) instanceof TensorRef t)) {
                        throw refuse(pos, "_rebuild_parameter without a tensor");
                    }
                    return t;
                }
                default -> throw refuse(pos, "a call of " + g);
            }
        }

        private Object persistent(Object pid, int pos) throws MalformedFileException {
            if (pid instanceof List<?> t
                    && t.size() == 5
                    && "storage".equals(t.get(0))
                    && t.get(1) instanceof Global g
                    && g.module().equals("torch")
                    && t.get(2) instanceof String key
                    && key.matches("[0-9A-Za-z_]+")) {
                return new StorageRef(g.name(), key);
            }
            throw refuse(pos, "a persistent id that is not a torch storage reference");
        }

        private long long1(int n, int pos) throws MalformedFileException {
            if (n > 8) {
                throw refuse(pos, "LONG1 of " + n + " bytes");
            }
            long v = 0;
            byte[] b = new byte[n];
            in.get(b);
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (b[i] & 0xff);
            }
            if (n > 0 && n < 8 && b[n - 1] < 0) {
                v -= 1L << (8 * n);
            }
            return v;
        }

        private int checkedLength(long n, int pos) throws MalformedFileException {
            if (n < 0 || n > in.remaining()) {
                throw refuse(pos, "a string of " + n + " bytes past the end of the pickle");
            }
            return (int) n;
        }

        private String string(int n) throws MalformedFileException {
            byte[] b = new byte[checkedLength(n, in.position())];
            in.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private byte[] bytes(int n) throws MalformedFileException {
            byte[] b = new byte[checkedLength(n, in.position())];
            in.get(b);
            return b;
        }

        private String line() throws MalformedFileException {
            StringBuilder sb = new StringBuilder();
            for (byte c; (c = in.get()) != '\n'; ) {
                if (sb.length() > 256) {
                    throw refuse(in.position(), "a GLOBAL name over 256 characters");
                }
                sb.append((char) (c & 0xff));
            }
            return sb.toString();
        }

        private Object memoGet(int key, int pos) throws MalformedFileException {
            if (!memo.containsKey(key)) {
                throw refuse(pos, "memo key " + key + " that was never stored");
            }
            return memo.get(key);
        }

        @SuppressWarnings("unchecked")
        private Map<Object, Object> dict(Object o, int pos) throws MalformedFileException {
            if (o instanceof LinkedHashMap<?, ?> m) {
                return (Map<Object, Object>) m;
            }
            throw refuse(pos, "SETITEM on a " + describe(o));
        }

        @SuppressWarnings("unchecked")
        private List<Object> list(Object o, int pos) throws MalformedFileException {
            if (o instanceof ArrayList<?> l) {
                return (List<Object>) l;
            }
            throw refuse(pos, "APPEND on a " + describe(o));
        }

        private List<Object> popToMark(int pos) throws MalformedFileException {
            int m = stack.lastIndexOf(MARK);
            if (m < 0) {
                throw refuse(pos, "no MARK on the stack");
            }
            List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
            stack.subList(m, stack.size()).clear();
            return items;
        }

        private void push(Object o) {
            stack.add(o);
        }

        private Object pop() throws MalformedFileException {
            if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
                throw refuse(in.position(), "pop from an empty stack");
            }
            return stack.remove(stack.size() - 1);
        }

        private Object peek() throws MalformedFileException {
            if (stack.isEmpty()) {
                throw refuse(in.position(), "empty stack");
            }
            return stack.get(stack.size() - 1);
        }

        private MalformedFileException refuse(int pos, String what) {
            return new MalformedFileException(file, "refusing pickle: " + what + " (at byte " + pos + " of data.pkl)");
        }
    }
}
