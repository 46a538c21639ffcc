import CBLAS

extension Kernels {
  /// Products of at least this many multiply-adds are split across threads.
  public static let gemmParallelWork = 1 << 20

  /// C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C, row-major.
  /// `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored.
  ///
  /// OpenBLAS always runs single-threaded (see `Threads`); a large product is
  /// split here into row (or column) blocks of C, one per thread, each a
  /// `cblas_sgemm` call on the calling thread. So concurrent callers never share
  /// or reconfigure a BLAS thread pool, and one setting governs every loop.
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let work = m * n * k
    let chunks = min(Threads.count, max(1, work / gemmParallelWork))
    if chunks <= 1 || Threads.insideParallelLoop || (m < 2 && n < 2) {
      gemmBLAS(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
               beta: beta, c: c, ldc: ldc)
      return
    }
    if m >= n {
      parallelRanges(m, grain: max(1, m / chunks)) { rows in
        gemmBLAS(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
                 a: transA ? a + rows.lowerBound : a + rows.lowerBound * lda, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
      }
    } else {
      parallelRanges(n, grain: max(1, n / chunks)) { cols in
        gemmBLAS(transA: transA, transB: transB, m: m, n: cols.count, k: k, alpha: alpha, a: a, lda: lda,
                 b: transB ? b + cols.lowerBound * ldb : b + cols.lowerBound, ldb: ldb,
                 beta: beta, c: c + cols.lowerBound, ldc: ldc)
      }
    }
  }

  /// One `cblas_sgemm` call (OpenBLAS) on the calling thread.
  /// The corresponding C function is `cblas_sgemm`.
  @inlinable
  public static func gemmBLAS(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    _ = Threads.count  // makes sure OpenBLAS was set to one thread
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

  /// Runs `body` with OpenBLAS's own thread pool at `threads` threads, then
  /// sets it back to one. Only for measuring OpenBLAS alone (`sgemm_direct_*`):
  /// never while other threads may be calling BLAS.
  public static func withOpenBLASThreads<R>(_ threads: Int, _ body: () -> R) -> R {
    _ = Threads.count
    openblas_set_num_threads(Int32(threads))
    defer { openblas_set_num_threads(1) }
    return body()
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
