import CBLAS

extension Kernels {
  /// C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C, row-major.
  /// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
  /// The corresponding C function is `cblas_sgemm` (OpenBLAS).
  @inlinable
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 {
      if beta == 0 {
        for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
      } else if beta != 1 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
      }
      return
    }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }

  /// Naive twin of `gemm` for tests (llm.c's `matmul_forward_naive`).
  public static func gemmReference(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var acc: Double = 0
        for p in 0..<k {
          let av = transA ? a[p * lda + i] : a[i * lda + p]
          let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
          acc += Double(av) * Double(bv)
        }
        let prior = beta == 0 ? 0 : beta * c[i * ldc + j]
        c[i * ldc + j] = alpha * Float(acc) + prior
      }
    }
  }
}
