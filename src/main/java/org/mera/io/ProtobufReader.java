package org.mera.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal protobuf wire-format reader over a byte buffer (varints, length-delimited fields, fixed32/64),
 * so ONNX and TensorFlow files can be read without a protobuf dependency. Every read is bounds-checked
 * and reports the file and the message being parsed when the bytes end early or make no sense.
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final Path file;
    private final String message;
    private final ByteBuffer buf;
    private final int end;
    private int pos;
    private int lastTag;

    /** Reads bytes [start, end) of {@code buf}, which hold a message named {@code message} (for errors). */
    ProtobufReader(Path file, String message, ByteBuffer buf, int start, int end) {
        this.file = file;
        this.message = message;
        this.buf = buf;
        this.pos = start;
        this.end = end;
    }

    static ProtobufReader of(Path file, String message, ByteBuffer buf) {
        return new ProtobufReader(file, message, buf, buf.position(), buf.limit());
    }

    boolean hasMore() {
        return pos < end;
    }

    /** Reads the next field's tag; returns its field number. */
    int nextField() throws MalformedFileException {
        long tag = readVarint();
        if (tag <= 0 || (tag >>> 3) > Integer.MAX_VALUE) {
            throw fault("invalid field tag " + tag + " at byte " + pos);
        }
        lastTag = (int) tag;
        int wire = lastTag & 7;
        if (wire != VARINT && wire != FIXED64 && wire != LENGTH_DELIMITED && wire != FIXED32) {
            throw fault("unsupported wire type " + wire + " for field " + (lastTag >>> 3) + " at byte " + pos);
        }
        return lastTag >>> 3;
    }

    int wireType() {
        return lastTag & 7;
    }

    long readVarint() throws MalformedFileException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw fault("truncated varint at byte " + pos);
            }
            byte b = buf.get(pos++);
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw fault("varint longer than 10 bytes at byte " + pos);
    }

    /** The current field's value as an integer, checking that it is a varint field. */
    long readVarintField(String field) throws MalformedFileException {
        expectWire(VARINT, field);
        return readVarint();
    }

    int readFixed32() throws MalformedFileException {
        require(4, "fixed32");
        int v = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(pos);
        pos += 4;
        return v;
    }

    /** The current length-delimited field as a reader over a nested message. */
    ProtobufReader readMessage(String field) throws MalformedFileException {
        int[] range = readBytesRange(field);
        return new ProtobufReader(file, message + "." + field, buf, range[0], range[1]);
    }

    String readString(String field) throws MalformedFileException {
        int[] range = readBytesRange(field);
        byte[] bytes = new byte[range[1] - range[0]];
        buf.duplicate().position(range[0]).get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The current length-delimited field's [start, end) byte offsets in the underlying buffer. */
    int[] readBytesRange(String field) throws MalformedFileException {
        expectWire(LENGTH_DELIMITED, field);
        long len = readVarint();
        if (len < 0 || len > end - pos) {
            throw fault("field " + field + " declares " + len + " bytes but only " + (end - pos) + " remain");
        }
        int start = pos;
        pos += (int) len;
        return new int[] {start, pos};
    }

    /** Reads a repeated int64 field that may be packed (one length-delimited run) or not (one varint). */
    void readInt64s(String field, java.util.List<Long> into) throws MalformedFileException {
        if (wireType() == VARINT) {
            into.add(readVarint());
            return;
        }
        int[] range = readBytesRange(field);
        ProtobufReader packed = new ProtobufReader(file, message + "." + field, buf, range[0], range[1]);
        while (packed.hasMore()) {
            into.add(packed.readVarint());
        }
    }

    void skip() throws MalformedFileException {
        switch (wireType()) {
            case VARINT -> readVarint();
            case FIXED64 -> {
                require(8, "fixed64");
                pos += 8;
            }
            case FIXED32 -> {
                require(4, "fixed32");
                pos += 4;
            }
            case LENGTH_DELIMITED -> readBytesRange("field " + (lastTag >>> 3));
            default -> throw fault("cannot skip wire type " + wireType());
        }
    }

    int position() {
        return pos;
    }

    void position(int newPos) throws MalformedFileException {
        if (newPos < pos || newPos > end) {
            throw fault("cannot move to byte " + newPos);
        }
        pos = newPos;
    }

    ByteBuffer buffer() {
        return buf;
    }

    MalformedFileException fault(String what) {
        return new MalformedFileException(file, "malformed protobuf in " + message + ": " + what);
    }

    private void expectWire(int wire, String field) throws MalformedFileException {
        if (wireType() != wire) {
            throw fault("field " + field + " has wire type " + wireType() + ", expected " + wire);
        }
    }

    private void require(int n, String what) throws MalformedFileException {
        if (end - pos < n) {
            throw fault("truncated " + what + " at byte " + pos);
        }
    }
}
