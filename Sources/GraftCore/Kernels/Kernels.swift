/// Concrete Float kernels on raw pointers. Only this folder touches BLAS,
/// SIMD and threads; layers and tensor ops call these functions, so another
/// backend can be added behind the same calls.
///
/// Letter glossary used across kernel files:
/// N batch, C channels (C_in), K output channels (C_out), H/W input height and
/// width, P/Q output height and width, R/S kernel height and width,
/// M/N/K in GEMM the usual (M×K)·(K×N) sizes.
public enum Kernels {}
