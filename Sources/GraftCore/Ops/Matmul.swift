/// Matrix product with `cblas_sgemm`, as `torch.matmul` for these cases:
/// - `[M, K] × [K, N] → [M, N]`
/// - `[..., M, K] × [K, N] → [..., M, N]` (leading axes folded into M: one GEMM)
/// - `[B, M, K] × [B, K, N] → [B, M, N]` (batched; leading axes must match)
/// `transposeA`/`transposeB` use the last two axes transposed without copying
/// (`x.matmul(w, transposeB: true)` is `F.linear` without bias).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
  precondition(a.rank >= 2 && b.rank >= 2, "matmul: \(a.shape) × \(b.shape) (both need rank ≥ 2)")
  let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
  let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
  let (m, k) = transposeA ? (ac, ar) : (ar, ac)
  let (k2, n) = transposeB ? (bc, br) : (br, bc)
  precondition(k == k2, "matmul: \(a.shape)\(transposeA ? "ᵀ" : "") × \(b.shape)\(transposeB ? "ᵀ" : "") (inner sizes \(k) ≠ \(k2))")
  let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
  let out: Tensor
  if b.rank == 2 && !transposeA {
    // Fold a's leading axes into M: one large GEMM.
    let rows = Shape.count(aBatch) * m
    out = Tensor(uninitializedShape: aBatch + [m, n])
    Kernels.gemm(transA: false, transB: transposeB, m: rows, n: n, k: k, a: a.data, lda: ac,
                 b: b.data, ldb: bc, c: out.data, ldc: n)
  } else {
    precondition(aBatch == bBatch, "matmul: batch axes of \(a.shape) and \(b.shape) differ")
    let batch = Shape.count(aBatch)
    out = Tensor(uninitializedShape: aBatch + [m, n])
    for i in 0..<batch {
      Kernels.gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                   a: a.data + i * ar * ac, lda: ac, b: b.data + i * br * bc, ldb: bc,
                   c: out.data + i * m * n, ldc: n)
    }
  }
  if Tensor.needsGradient(a, b) {
    out.record("matmul", [a, b]) { g in
      // C = op(A)·op(B):  ∂op(A) = G·op(B)ᵀ,  ∂op(B) = op(A)ᵀ·G.
      var ga: Tensor? = nil, gb: Tensor? = nil
      if a.requiresGrad {
        ga = transposeA ? matmul(b, g, transposeA: transposeB, transposeB: true)
          : matmul(g, b, transposeB: !transposeB)
      }
      if b.requiresGrad {
        if b.rank == 2 && !transposeA {
          // A was folded to [rows, K]: reduce over all rows at once.
          let a2 = a.reshaped([-1, ac]), g2 = g.reshaped([-1, n])
          gb = transposeB ? matmul(g2, a2, transposeA: true) : matmul(a2, g2, transposeA: true)
        } else {
          gb = transposeB ? matmul(g, a, transposeA: true, transposeB: transposeA)
            : matmul(a, g, transposeA: !transposeA)
        }
      }
      return [ga, gb]
    }
  }
  return out
}

extension Tensor {
  public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    GraftCore.matmul(self, other, transposeA: transposeA, transposeB: transposeB)
  }
}
