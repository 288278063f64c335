package org.mera.io;

/** Conversions from the narrow float formats weight files use (IEEE half, bfloat16) to float32. */
final class FloatFormats {
    private FloatFormats() {}

    /** IEEE 754 binary16 to float32, exact (every half value is representable). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal half: value = mant * 2^-24, exact in float32
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 127 - 15) << 23) | (mant << 13));
    }

    /** bfloat16 is the top half of a float32. */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    enum Encoding {
        F32(4),
        F16(2),
        BF16(2),
        F64(8);

        final int bytes;

        Encoding(int bytes) {
            this.bytes = bytes;
        }
    }

    /** Decodes {@code into.length} little-endian values starting at absolute index {@code start} of {@code buf}. */
    static void decodeLittleEndian(java.nio.ByteBuffer buf, int start, Encoding encoding, float[] into) {
        java.nio.ByteBuffer b = buf.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.limit(start + into.length * encoding.bytes).position(start);
        switch (encoding) {
            case F32 -> b.asFloatBuffer().get(into);
            case F64 -> {
                java.nio.DoubleBuffer d = b.asDoubleBuffer();
                for (int i = 0; i < into.length; i++) {
                    into[i] = (float) d.get(i);
                }
            }
            case F16 -> {
                java.nio.ShortBuffer s = b.asShortBuffer();
                for (int i = 0; i < into.length; i++) {
                    into[i] = halfToFloat(s.get(i));
                }
            }
            case BF16 -> {
                java.nio.ShortBuffer s = b.asShortBuffer();
                for (int i = 0; i < into.length; i++) {
                    into[i] = bf16ToFloat(s.get(i));
                }
            }
            default -> throw new IllegalArgumentException(encoding.toString());
        }
    }
}
