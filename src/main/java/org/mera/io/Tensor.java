package org.mera.io;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order: the plain data that flows between mera's packages
 * (weight files, adapters, merge methods). Engine arrays (DJL NDArray) are made from it at the model
 * boundary, so merge methods and file formats never need an engine.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    public Tensor(float[] data, int... shape) {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " elements but the data has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(int... shape) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return new Tensor(new float[(int) n], shape);
    }

    /** Independent N(0, std²) entries drawn from {@code rnd} (BERT's and AdapterHub's weight initialisation). */
    public static Tensor normal(java.util.Random rnd, float std, int... shape) {
        Tensor t = zeros(shape);
        for (int i = 0; i < t.data.length; i++) {
            t.data[i] = (float) (rnd.nextGaussian() * std);
        }
        return t;
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    /** The backing array (not a copy): callers that must not mutate it should {@link #copy()}. */
    public float[] data() {
        return data;
    }

    public int numel() {
        return data.length;
    }

    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    public Tensor reshape(int... newShape) {
        return new Tensor(data, newShape);
    }

    /** Element (i, j) of a matrix. */
    public float get(int i, int j) {
        return data[i * shape[1] + j];
    }

    public void set(int i, int j, float v) {
        data[i * shape[1] + j] = v;
    }

    /** The transpose of a matrix, as a new tensor. */
    public Tensor transpose() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("transpose needs a matrix, got shape " + Arrays.toString(shape));
        }
        int r = shape[0];
        int c = shape[1];
        float[] out = new float[data.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[j * r + i] = data[i * c + j];
            }
        }
        return new Tensor(out, c, r);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeString();
    }
}
