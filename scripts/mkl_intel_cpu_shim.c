/*
 * MKL dispatch shim for the mera fast path (see docs/performance.md).
 *
 * The MKL statically linked into libtorch_cpu.so asks mkl_serv_intel_cpu_true() whether it runs on an
 * Intel processor and, on any other vendor, takes its generic code paths instead of the AVX2/AVX-512
 * kernels the processor supports. libtorch_cpu.so calls this function through its PLT, so a library
 * preloaded before the JVM starts (LD_PRELOAD) that defines the same symbol is bound first and answers
 * "Intel". The kernels MKL then picks only use instructions that cpuid reports as present.
 */
/* Measurement only: building with -DMERA_SHIM_ANSWER=0 makes MKL treat an Intel processor as foreign,
 * which reproduces the slow dispatch on Intel hosts (docs/performance.md). The launcher never does that. */
#ifndef MERA_SHIM_ANSWER
#define MERA_SHIM_ANSWER 1
#endif

__attribute__((visibility("default"))) int mkl_serv_intel_cpu_true(void) {
    return MERA_SHIM_ANSWER;
}
